using FileSync.Edge.Hosting;

return await AgentHost.RunAsync(args).ConfigureAwait(false);
