using FileSync.Tray;

return await TrayProgram.RunAsync(args).ConfigureAwait(false);
