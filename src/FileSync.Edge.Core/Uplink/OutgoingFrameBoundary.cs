using System.Buffers.Binary;

namespace FileSync.Edge.Uplink;

/// <summary>
/// Follows the WebSocket frames (RFC 6455 §5.2) in the bytes written to a connection, however the writes
/// cut them, so that another frame is only ever put between two of them. Reads the header of each frame
/// (its payload length and whether it is masked) and counts its payload through.
/// </summary>
internal sealed class OutgoingFrameBoundary
{
    private const int LongestHeader = 2 + 8 + 4;

    private readonly byte[] _header = new byte[LongestHeader];
    private int _headerHave;
    private int _headerLength = 2;
    private long _payloadLeft;

    /// <summary>Whether the bytes so far end exactly where a frame ends.</summary>
    public bool AtBoundary => _headerHave == 0 && _payloadLeft == 0;

    public void Consume(ReadOnlySpan<byte> written)
    {
        while (written.Length > 0)
        {
            if (_payloadLeft > 0)
            {
                var payload = (int)Math.Min(_payloadLeft, written.Length);
                _payloadLeft -= payload;
                written = written[payload..];
                continue;
            }
            _header[_headerHave++] = written[0];
            written = written[1..];
            if (_headerHave == 2)
            {
                _headerLength =
                    2
                    + (_header[1] & 0x7F) switch
                    {
                        126 => 2,
                        127 => 8,
                        _ => 0,
                    }
                    + ((_header[1] & 0x80) != 0 ? 4 : 0);
            }
            if (_headerHave == _headerLength)
            {
                _payloadLeft = (_header[1] & 0x7F) switch
                {
                    126 => BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)),
                    127 => (long)BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2)),
                    var length => length,
                };
                _headerHave = 0;
                _headerLength = 2;
            }
        }
    }
}
