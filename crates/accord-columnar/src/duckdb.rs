//! DuckDB through its C API, from the library loaded at run time: a database in memory, queries with bound text
//! parameters, and their results read as text or numbers. The only unsafe code of the project is here.

use std::ffi::{CStr, CString, c_char, c_void};
use std::path::Path;
use std::sync::Arc;

/// `duckdb_state`: 0 is success.
type State = i32;
type Handle = *mut c_void;

/// `duckdb_result` as the C API lays it out (its fields are read only through the API's functions).
#[repr(C)]
struct RawResult {
    column_count: u64,
    row_count: u64,
    rows_changed: u64,
    columns: *mut c_void,
    error_message: *mut c_char,
    internal_data: *mut c_void,
}

impl RawResult {
    fn empty() -> RawResult {
        RawResult {
            column_count: 0,
            row_count: 0,
            rows_changed: 0,
            columns: std::ptr::null_mut(),
            error_message: std::ptr::null_mut(),
            internal_data: std::ptr::null_mut(),
        }
    }
}

/// The functions of the C API this module calls, resolved once from the library.
struct Api {
    _library: Handle,
    version: unsafe extern "C" fn() -> *const c_char,
    open: unsafe extern "C" fn(*const c_char, *mut Handle) -> State,
    close: unsafe extern "C" fn(*mut Handle),
    connect: unsafe extern "C" fn(Handle, *mut Handle) -> State,
    disconnect: unsafe extern "C" fn(*mut Handle),
    query: unsafe extern "C" fn(Handle, *const c_char, *mut RawResult) -> State,
    prepare: unsafe extern "C" fn(Handle, *const c_char, *mut Handle) -> State,
    prepare_error: unsafe extern "C" fn(Handle) -> *const c_char,
    bind_varchar: unsafe extern "C" fn(Handle, u64, *const c_char) -> State,
    execute_prepared: unsafe extern "C" fn(Handle, *mut RawResult) -> State,
    destroy_prepare: unsafe extern "C" fn(*mut Handle),
    result_error: unsafe extern "C" fn(*mut RawResult) -> *const c_char,
    destroy_result: unsafe extern "C" fn(*mut RawResult),
    row_count: unsafe extern "C" fn(*mut RawResult) -> u64,
    column_count: unsafe extern "C" fn(*mut RawResult) -> u64,
    value_is_null: unsafe extern "C" fn(*mut RawResult, u64, u64) -> bool,
    value_varchar: unsafe extern "C" fn(*mut RawResult, u64, u64) -> *mut c_char,
    value_double: unsafe extern "C" fn(*mut RawResult, u64, u64) -> f64,
    value_int64: unsafe extern "C" fn(*mut RawResult, u64, u64) -> i64,
    free: unsafe extern "C" fn(*mut c_void),
}

// SAFETY: the API is a table of function pointers into a library that stays loaded for the process's life; DuckDB's
// C API may be called from any thread, each database and connection being used by one thread at a time (see
// `Database`).
unsafe impl Send for Api {}
// SAFETY: as above; the table itself is never written after it is built.
unsafe impl Sync for Api {}

/// A loaded DuckDB library.
#[derive(Clone)]
pub struct Library {
    api: Arc<Api>,
}

/// Text a C function returned (or nothing for a null pointer), copied.
///
/// # Safety
/// `p` is null or points to a NUL-terminated string that stays valid during the call.
unsafe fn text_at(p: *const c_char) -> Option<String> {
    // SAFETY: the caller's contract.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

/// A function pointer from a symbol's address.
///
/// # Safety
/// `p` is the address of a function whose signature is `F`, a function pointer type.
unsafe fn function<F: Copy>(p: *mut c_void) -> F {
    assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<*mut c_void>());
    // SAFETY: the caller's contract; the sizes are equal.
    unsafe { std::mem::transmute_copy::<*mut c_void, F>(&p) }
}

fn c_string(what: &str, s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|_| format!("{what} contains a NUL character"))
}

impl Library {
    /// Loads the DuckDB library at `path` (`libduckdb.so`) and resolves the functions used.
    pub fn load(path: &Path) -> Result<Library, String> {
        let name = c_string("the library path", &path.to_string_lossy())?;
        // SAFETY: dlopen with a valid C string; the handle is never closed, so every symbol stays valid.
        let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        if handle.is_null() {
            // SAFETY: dlerror returns null or a message valid until the next dl call on this thread.
            let why = unsafe { text_at(libc::dlerror()) }.unwrap_or_default();
            return Err(format!("cannot load the DuckDB library {}: {why}", path.display()));
        }
        let resolve = |name: &str| -> Result<*mut c_void, String> {
            let symbol = c_string("a symbol", name)?;
            // SAFETY: a C string looked up in the open handle.
            let p = unsafe { libc::dlsym(handle, symbol.as_ptr()) };
            if p.is_null() {
                return Err(format!("{} is not a DuckDB library: it lacks {name}", path.display()));
            }
            Ok(p)
        };
        macro_rules! resolve {
            ($name:literal) => {
                // SAFETY: the symbol is the C API function of that name, whose signature the field it is assigned
                // to declares as DuckDB's header does; a function pointer has the size of a data pointer here.
                unsafe { function(resolve($name)?) }
            };
        }
        let api = Api {
            _library: handle,
            version: resolve!("duckdb_library_version"),
            open: resolve!("duckdb_open"),
            close: resolve!("duckdb_close"),
            connect: resolve!("duckdb_connect"),
            disconnect: resolve!("duckdb_disconnect"),
            query: resolve!("duckdb_query"),
            prepare: resolve!("duckdb_prepare"),
            prepare_error: resolve!("duckdb_prepare_error"),
            bind_varchar: resolve!("duckdb_bind_varchar"),
            execute_prepared: resolve!("duckdb_execute_prepared"),
            destroy_prepare: resolve!("duckdb_destroy_prepare"),
            result_error: resolve!("duckdb_result_error"),
            destroy_result: resolve!("duckdb_destroy_result"),
            row_count: resolve!("duckdb_row_count"),
            column_count: resolve!("duckdb_column_count"),
            value_is_null: resolve!("duckdb_value_is_null"),
            value_varchar: resolve!("duckdb_value_varchar"),
            value_double: resolve!("duckdb_value_double"),
            value_int64: resolve!("duckdb_value_int64"),
            free: resolve!("duckdb_free"),
        };
        Ok(Library { api: Arc::new(api) })
    }

    /// The library's version, e.g. `v1.5.6`.
    pub fn version(&self) -> String {
        // SAFETY: returns a static NUL-terminated string.
        unsafe { text_at((self.api.version)()) }.unwrap_or_default()
    }

    /// A new database in memory, with one connection.
    pub fn open_in_memory(&self) -> Result<Database, String> {
        let mut db: Handle = std::ptr::null_mut();
        // SAFETY: a null path opens a database in memory; `db` receives its handle.
        if unsafe { (self.api.open)(std::ptr::null(), &mut db) } != 0 {
            return Err("DuckDB cannot open a database in memory".into());
        }
        let mut conn: Handle = std::ptr::null_mut();
        // SAFETY: `db` is open; `conn` receives the connection.
        if unsafe { (self.api.connect)(db, &mut conn) } != 0 {
            // SAFETY: closes the database just opened.
            unsafe { (self.api.close)(&mut db) };
            return Err("DuckDB cannot connect to its database".into());
        }
        Ok(Database { api: self.api.clone(), db, conn })
    }
}

/// A DuckDB database in memory and its connection, used by one thread at a time.
pub struct Database {
    api: Arc<Api>,
    db: Handle,
    conn: Handle,
}

// SAFETY: the handles are owned by this value and used through `&mut self` only, so by one thread at a time, which
// DuckDB allows from any thread.
unsafe impl Send for Database {}

impl Drop for Database {
    fn drop(&mut self) {
        // SAFETY: the connection and then the database, each closed once.
        unsafe {
            (self.api.disconnect)(&mut self.conn);
            (self.api.close)(&mut self.db);
        }
    }
}

/// A query's result, all in memory.
pub struct Rows {
    api: Arc<Api>,
    // DuckDB may write into the result while it is read, hence the cell.
    raw: Box<std::cell::UnsafeCell<RawResult>>,
}

// SAFETY: the result is owned and read through `&self` on one thread at a time (it is not `Sync`).
unsafe impl Send for Rows {}

impl Drop for Rows {
    fn drop(&mut self) {
        // SAFETY: the result was filled by DuckDB and is destroyed once.
        unsafe { (self.api.destroy_result)(self.raw.get()) };
    }
}

impl Database {
    /// Runs one SQL statement (or several, separated by semicolons, for those without parameters).
    pub fn execute(&mut self, sql: &str) -> Result<Rows, String> {
        let text = c_string("the query", sql)?;
        let raw = Box::new(std::cell::UnsafeCell::new(RawResult::empty()));
        // SAFETY: an open connection, a C string and a result for DuckDB to fill (destroyed by `Rows`).
        let state = unsafe { (self.api.query)(self.conn, text.as_ptr(), raw.get()) };
        self.finish(state, raw)
    }

    /// Runs one SQL statement with its `?` parameters bound, in order, to `params` (as text).
    pub fn execute_with(&mut self, sql: &str, params: &[&str]) -> Result<Rows, String> {
        let text = c_string("the query", sql)?;
        let mut statement: Handle = std::ptr::null_mut();
        // SAFETY: an open connection and a C string; `statement` receives the prepared statement.
        let state = unsafe { (self.api.prepare)(self.conn, text.as_ptr(), &mut statement) };
        let outcome = if state != 0 {
            // SAFETY: the error of the statement, valid until it is destroyed below.
            Err(unsafe { text_at((self.api.prepare_error)(statement)) }.unwrap_or_else(|| "cannot prepare".into()))
        } else {
            self.bind_and_run(statement, params)
        };
        // SAFETY: destroys the statement once (DuckDB accepts a failed one).
        unsafe { (self.api.destroy_prepare)(&mut statement) };
        outcome
    }

    fn bind_and_run(&mut self, statement: Handle, params: &[&str]) -> Result<Rows, String> {
        for (i, p) in params.iter().enumerate() {
            let value = c_string("a parameter", p)?;
            // SAFETY: a prepared statement and a C string DuckDB copies; parameters count from 1.
            if unsafe { (self.api.bind_varchar)(statement, i as u64 + 1, value.as_ptr()) } != 0 {
                return Err(format!("cannot bind parameter {}", i + 1));
            }
        }
        let raw = Box::new(std::cell::UnsafeCell::new(RawResult::empty()));
        // SAFETY: a prepared statement with its parameters bound; the result is destroyed by `Rows`.
        let state = unsafe { (self.api.execute_prepared)(statement, raw.get()) };
        self.finish(state, raw)
    }

    fn finish(&self, state: State, raw: Box<std::cell::UnsafeCell<RawResult>>) -> Result<Rows, String> {
        let rows = Rows { api: self.api.clone(), raw };
        if state != 0 {
            // SAFETY: the result's error message, copied before the result is destroyed (with `rows`).
            let why = unsafe { text_at((self.api.result_error)(rows.raw())) };
            return Err(why.unwrap_or_else(|| "the query failed".into()));
        }
        Ok(rows)
    }
}

impl Rows {
    fn raw(&self) -> *mut RawResult {
        self.raw.get()
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        // SAFETY: a result DuckDB filled.
        unsafe { (self.api.row_count)(self.raw()) as usize }
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many columns.
    pub fn columns(&self) -> usize {
        // SAFETY: a result DuckDB filled.
        unsafe { (self.api.column_count)(self.raw()) as usize }
    }

    fn in_range(&self, column: usize, row: usize) -> bool {
        column < self.columns() && row < self.len()
    }

    /// The value at `column`, `row` as text; `None` when it is null (or out of range).
    pub fn text(&self, column: usize, row: usize) -> Option<String> {
        if !self.in_range(column, row) {
            return None;
        }
        // SAFETY: a cell in range of a result DuckDB filled.
        if unsafe { (self.api.value_is_null)(self.raw(), column as u64, row as u64) } {
            return None;
        }
        // SAFETY: as above; the string is allocated by DuckDB, copied, then freed with its allocator.
        unsafe {
            let p = (self.api.value_varchar)(self.raw(), column as u64, row as u64);
            let out = text_at(p);
            if !p.is_null() {
                (self.api.free)(p.cast());
            }
            out
        }
    }

    /// The value at `column`, `row` as a number (0 when null or out of range).
    pub fn number(&self, column: usize, row: usize) -> f64 {
        if !self.in_range(column, row) {
            return 0.0;
        }
        // SAFETY: a cell in range of a result DuckDB filled.
        unsafe { (self.api.value_double)(self.raw(), column as u64, row as u64) }
    }

    /// The value at `column`, `row` as an integer (0 when null or out of range).
    pub fn integer(&self, column: usize, row: usize) -> i64 {
        if !self.in_range(column, row) {
            return 0;
        }
        // SAFETY: a cell in range of a result DuckDB filled.
        unsafe { (self.api.value_int64)(self.raw(), column as u64, row as u64) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_is_named_in_the_error() {
        let Err(e) = Library::load(Path::new("/nonexistent/libduckdb.so")) else { panic!("loaded a missing library") };
        assert!(e.contains("/nonexistent/libduckdb.so"), "{e}");
    }

    #[test]
    fn a_library_that_is_not_duckdb_is_refused() {
        let Err(e) = Library::load(Path::new("libc.so.6")) else { panic!("took libc for DuckDB") };
        assert!(e.contains("is not a DuckDB library"), "{e}");
    }

    #[test]
    fn queries_bind_hostile_text_as_values_and_report_errors() {
        let lib = Library::load(&crate::test_library()).expect("the DuckDB library (scripts/install-duckdb.sh)");
        assert!(lib.version().starts_with('v'), "{}", lib.version());
        let mut db = lib.open_in_memory().expect("open");
        db.execute("CREATE TABLE t (name VARCHAR, value DOUBLE)").expect("create");
        let hostile = "O'Brien'); DROP TABLE t; --";
        db.execute_with("INSERT INTO t VALUES (?, 2.5)", &[hostile]).expect("insert");
        let rows = db.execute("SELECT name, value, NULL, 7 FROM t").expect("select");
        assert_eq!((rows.len(), rows.columns()), (1, 4));
        assert_eq!(rows.text(0, 0).as_deref(), Some(hostile));
        assert_eq!(rows.number(1, 0), 2.5);
        assert_eq!(rows.text(2, 0), None);
        assert_eq!(rows.integer(3, 0), 7);
        assert_eq!(rows.text(0, 1), None, "out of range");
        let e = db.execute("SELECT * FROM no_such_table").err().expect("an error");
        assert!(e.contains("no_such_table"), "{e}");
        let e = db.execute_with("SELECT ?", &["a", "b"]).err().expect("too many parameters");
        assert!(!e.is_empty());
    }
}
