//! The ids every layer passes around, below all of them (authentication names the workspace a
//! key belongs to before any rule runs).

/// The authenticated tenant of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkspaceId(pub i64);
