using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// ctx:workspace_request (WorkspaceRequestHandler): the filtered, sorted file list of an active workspace,
/// not_found for another path, too_many_files (and no list) for a workspace over the file limit.
/// </summary>
public sealed class WorkspaceRequestHandlerTests(ITestOutputHelper output)
    : ControlDispatcherFixture(output)
{
    [Fact]
    public async Task WorkspaceRequest_ActiveWorkspace_ReturnsFilteredSortedList()
    {
        var result = Assert.Single(
            await SendAsync(
                Command(
                    MessageTypes.WorkspaceRequest,
                    $$"""{"path":{{Quote(_a)}},"requestId":"w1"}"""
                )
            )
        );

        Assert.Equal(MessageTypes.WorkspaceResult, result.Type);
        Assert.Equal("w1", Text(result, "requestId"));
        Assert.Equal(_a, Text(result, "path"));
        Assert.Equal(
            [".gitignore", "bin.dat", "hello.txt", "latin1.txt", "sub/deep.txt"],
            result.Payload.GetProperty("files").EnumerateArray().Select(f => f.GetString())
        );
    }

    [Fact]
    public async Task WorkspaceRequest_UnknownPath_ResultWithNotFound()
    {
        var result = Assert.Single(
            await SendAsync(
                Command(
                    MessageTypes.WorkspaceRequest,
                    $$"""{"path":{{Quote(_outside)}},"requestId":"w2"}"""
                )
            )
        );

        Assert.Equal(ErrorCodes.NotFound, Text(result, "code"));
        Assert.False(result.Payload.TryGetProperty("files", out _));
    }

    [Fact]
    public async Task WorkspaceRequest_WorkspaceOverTheFileLimit_TooManyFilesWithoutAList()
    {
        var (registry, dispatcher) = Create(new SyncOptions { MaxFiles = 2 });
        var (workspace, _) = await registry.AddAsync(_b);
        _scratch.Write("ws-b/c.txt", "c");
        _scratch.Write("ws-b/d.txt", "d");
        workspace!.RequestRescan();
        await Wait.UntilAsync(
            () => workspace.State == WorkspaceState.Refused,
            Wait.Generous,
            () => $"workspace refused, state {workspace.State}"
        );

        var result = Assert.Single(
            await SendAsync(
                Command(MessageTypes.WorkspaceRequest, $$"""{"path":{{Quote(_b)}}}"""),
                dispatcher
            )
        );

        Assert.Equal(ErrorCodes.TooManyFiles, Text(result, "code"));
        Assert.False(result.Payload.TryGetProperty("files", out _));
    }
}
