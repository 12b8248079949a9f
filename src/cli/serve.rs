//! `hitchpost serve`.

use super::ServeArgs;
use crate::config::Config;
use crate::startup::Application;
use std::io::Write;

pub(super) fn serve(args: ServeArgs) -> Result<(), String> {
    // glibc gives every thread that allocates its own arena; with a busy blocking pool that is
    // hundreds of MB of mostly idle heap. Two arenas serve a 2-core server as fast.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        // argon2 takes 7 MiB a hash; a fixed threshold keeps such blocks mmapped, so they go
        // back to the system when the hash is done instead of staying in the heap.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
    let mut config = Config::from_env(args.bind, args.db, args.dev)?;
    config.database_url = args.database_url;
    config.database_ca_file = args.database_ca_file;
    let database = match &config.database_url {
        Some(_) => "PostgreSQL".to_string(),
        None => config.db_path.display().to_string(),
    };
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config).map_err(|e| e.to_string())?;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "hitchpost listening on http://{} (database {database})", app.addr());
        if let Some(key) = app.dev_key() {
            let _ = writeln!(out, "dev mode: workspace `dev`, API key {key}");
        }
        let _ = out.flush();
        drop(out);
        app.run_until_signalled().await.map_err(|e| e.to_string())
    })
}
