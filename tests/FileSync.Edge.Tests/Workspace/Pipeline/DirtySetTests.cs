using FileSync.Edge.Workspace.Pipeline;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

public sealed class DirtySetTests
{
    [Fact]
    public void Take_ReturnsThePaths_OnceAndEmpties()
    {
        var dirty = new DirtySet(maxPaths: 10);
        dirty.Mark("a", completed: true);
        dirty.Mark("b", completed: true);
        dirty.Mark("a", completed: false);

        var batch = dirty.Take();

        Assert.Equal(["a", "b"], batch.Paths.Order(StringComparer.Ordinal));
        Assert.False(batch.Overflowed);
        Assert.Equal(0, dirty.Count);
        Assert.False(dirty.HasChanges);
        Assert.Empty(dirty.Take().Paths);
    }

    [Fact]
    public void AChangeNotKnownComplete_IsUnsettled_UntilItCompletesOrIsTaken()
    {
        var dirty = new DirtySet(maxPaths: 10);
        dirty.Mark("a", completed: false);
        Assert.True(dirty.HasUnsettled);
        dirty.Mark("a", completed: true);
        Assert.False(dirty.HasUnsettled);

        dirty.Mark("b", completed: false);
        dirty.Take();
        Assert.False(dirty.HasUnsettled);
    }

    [Fact]
    public void TooManyPaths_DropsThem_AndReportsTheOverflowOnce()
    {
        var dirty = new DirtySet(maxPaths: 3);
        foreach (var path in new[] { "1", "2", "3", "4" })
        {
            dirty.Mark(path, completed: true);
        }

        Assert.True(dirty.HasChanges);
        Assert.True(dirty.HasUnsettled); // an overflow waits the settle time like a change in the making
        var batch = dirty.Take();
        Assert.True(batch.Overflowed);
        Assert.Empty(batch.Paths);
        Assert.False(dirty.Take().Overflowed);
    }

    [Fact]
    public void RescanRequest_IsTakenOnce()
    {
        var dirty = new DirtySet(maxPaths: 3);
        dirty.RequestRescan();
        Assert.True(dirty.RescanRequested);
        Assert.True(dirty.TakeRescanRequest());
        Assert.False(dirty.TakeRescanRequest());
        Assert.False(dirty.RescanRequested);
    }

    [Fact]
    public async Task MarksFromManyThreads_AreAllTaken()
    {
        var dirty = new DirtySet(maxPaths: 100_000);
        await Task.WhenAll(
            Enumerable
                .Range(0, 8)
                .Select(t =>
                    Task.Run(() =>
                    {
                        for (var i = 0; i < 1000; i++)
                        {
                            dirty.Mark($"{t}/{i}", completed: i % 2 == 0);
                        }
                    })
                )
        );
        Assert.Equal(8000, dirty.Take().Paths.Count);
    }
}
