using FileSync.Edge.Control;
using FileSync.Edge.Local;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Uplink;
using FileSync.Edge.Watching;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Tests;

/// <summary>The engine's one registration: every part is constructed by the container, and a part registered before wins.</summary>
public sealed class FileSyncEdgeServiceCollectionExtensionsTests
{
    private sealed class NoShutdown : IAgentShutdown
    {
        public void RequestShutdown() { }
    }

    private static ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.Configure<SyncOptions>(options => options.StateDirectory = "");
        services.Configure<UplinkOptions>(options =>
            options.Server = new Uri("ws://127.0.0.1:9/ws/v1/edge")
        );
        services.AddSingleton<IAgentShutdown, NoShutdown>();
        services.AddFileSyncEdgeCore();
        return services;
    }

    [Fact]
    public async Task AddFileSyncEdgeCore_EveryPartCanBeConstructed()
    {
        await using var provider = Services()
            .BuildServiceProvider(
                new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }
            );

        Assert.NotNull(provider.GetRequiredService<ControlDispatcher>());
        Assert.IsType<LocalCommandHandler>(provider.GetRequiredService<ILocalCommandHandler>());
    }

    [Fact]
    public void AddFileSyncEdgeCore_APartRegisteredBefore_Wins()
    {
        var services = new ServiceCollection();
        var watchers = new FakeWorkspaceWatcherFactory();
        services.AddSingleton<IWorkspaceWatcherFactory>(watchers);
        services.AddSingleton(WorkspaceIndexPersistence.None);
        services.AddFileSyncEdgeCore();

        using var provider = services.BuildServiceProvider();

        Assert.Same(watchers, provider.GetRequiredService<IWorkspaceWatcherFactory>());
        Assert.Same(
            WorkspaceIndexPersistence.None,
            provider.GetRequiredService<WorkspaceIndexPersistence>()
        );
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("state", true)]
    public void IndexPersistence_FollowsStateDirectory(string directory, bool saved)
    {
        using var temp = new TempDirectory();
        var stateDirectory = directory == "" ? "" : temp.Combine(directory);

        var persistence = new WorkspaceIndexPersistence(
            Options.Create(new SyncOptions { StateDirectory = stateDirectory })
        );

        Assert.Equal(saved, persistence.Store is not null);
        if (saved)
        {
            Assert.Equal(stateDirectory, persistence.Store!.StateDirectory);
        }
    }

    [Fact]
    public void IndexPersistence_Unset_IsTheAgentsStateDirectory()
    {
        var persistence = new WorkspaceIndexPersistence(Options.Create(new SyncOptions()));

        Assert.Equal(AgentStateLocation.DefaultDirectory(), persistence.Store?.StateDirectory);
    }
}
