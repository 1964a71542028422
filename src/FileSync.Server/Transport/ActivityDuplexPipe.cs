using System.IO.Pipelines;
using FileSync.Protocol.Transport;

namespace FileSync.Server.Transport;

/// <summary>A connection's transport whose input reports what arrives (<see cref="ActivityPipeReader"/>).</summary>
internal sealed class ActivityDuplexPipe(IDuplexPipe inner, TransportActivity activity)
    : IDuplexPipe
{
    public PipeReader Input { get; } = new ActivityPipeReader(inner.Input, activity);

    public PipeWriter Output => inner.Output;
}
