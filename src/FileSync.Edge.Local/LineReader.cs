namespace FileSync.Edge.Local;

/// <summary>
/// Reads newline-terminated lines from a stream with a cap on their length, so a peer that never sends
/// a newline cannot make the reader hold more than the cap.
/// </summary>
internal sealed class LineReader(Stream stream, int maxLineBytes)
{
    private byte[] _buffer = new byte[Math.Min(4096, maxLineBytes + 1)];
    private int _start;
    private int _end;

    /// <summary>The next line without its '\n' (and a '\r' before it), or null at the end of the stream.</summary>
    /// <exception cref="LineTooLongException">The line is longer than the cap.</exception>
    public async ValueTask<byte[]?> ReadLineAsync(CancellationToken cancellationToken = default)
    {
        var scanned = _start;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', scanned, _end - scanned);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == '\r')
                {
                    length--;
                }
                var line = _buffer.AsSpan(_start, length).ToArray();
                _start = newline + 1;
                return line;
            }
            scanned = _end;
            if (_end - _start > maxLineBytes)
            {
                throw new LineTooLongException(maxLineBytes);
            }
            if (_end == _buffer.Length)
            {
                if (_start > 0)
                {
                    _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                    scanned -= _start;
                    _end -= _start;
                    _start = 0;
                }
                else
                {
                    Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, maxLineBytes + 2));
                }
            }
            var read = await stream
                .ReadAsync(_buffer.AsMemory(_end), cancellationToken)
                .ConfigureAwait(false);
            if (read == 0)
            {
                // A last line without a newline still counts; an empty remainder is the end.
                if (_end > _start)
                {
                    var rest = _buffer.AsSpan(_start, _end - _start).ToArray();
                    _start = _end;
                    return rest;
                }
                return null;
            }
            _end += read;
        }
    }
}
