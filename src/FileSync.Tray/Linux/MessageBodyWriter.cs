using Tmds.DBus.Protocol;

namespace FileSync.Tray.Linux;

/// <summary>Writes a message body. <see cref="MessageWriter"/> is a ref struct: it must be passed by reference, or its position is lost.</summary>
public delegate void MessageBodyWriter(ref MessageWriter writer);
