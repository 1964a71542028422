namespace FileSync.Edge.Workspace;

/// <summary>Why a folder may not be a workspace root (<see cref="WorkspaceRootRejection"/>).</summary>
public enum WorkspaceRootProblem
{
    /// <summary>Empty, not a valid path, or of a shape the server may not send (relative, UNC, NUL, …).</summary>
    InvalidPath,

    /// <summary>Nothing exists at the path.</summary>
    NotFound,

    /// <summary>A file, not a directory.</summary>
    NotADirectory,

    /// <summary>A filesystem or drive root.</summary>
    FilesystemRoot,

    /// <summary>The user's home directory or the temp directory itself.</summary>
    HomeOrTempItself,

    /// <summary>Its symbolic links cannot be resolved (a loop).</summary>
    Unresolvable,

    /// <summary>Inside a kernel or device pseudo-filesystem (<c>/proc</c>, <c>/sys</c>, <c>/dev</c>, <c>/run</c>).</summary>
    SystemFolder,

    /// <summary>Is, lies inside or holds a credential store or system folder (server-chosen roots).</summary>
    CredentialStore,

    /// <summary>Outside every folder the server may choose workspaces under.</summary>
    OutsideAllowedRoots,

    /// <summary>Inside, or holding, another running workspace.</summary>
    Overlaps,
}
