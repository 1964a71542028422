using System.Collections.Concurrent;
using Tmds.DBus.Protocol;

namespace FileSync.Edge.Tests.Tray;

/// <summary>
/// What a panel's tray host offers, as much as the tests need: <c>org.kde.StatusNotifierWatcher</c> at
/// <c>/StatusNotifierWatcher</c> recording <c>RegisterStatusNotifierItem</c> calls, plus a client for
/// reading an item's properties and driving its dbusmenu over the same connection.
/// </summary>
public sealed class StandInStatusNotifierWatcher : IPathMethodHandler, IDisposable
{
    private const string Interface = "org.kde.StatusNotifierWatcher";
    private readonly DBusConnection _connection;
    private readonly ConcurrentQueue<(string Service, string Sender)> _registered = new();

    private StandInStatusNotifierWatcher(DBusConnection connection) => _connection = connection;

    /// <summary>The items registered so far: the name they gave and the unique name of the caller.</summary>
    public IReadOnlyCollection<(string Service, string Sender)> Registered => _registered;

    public string Path => "/StatusNotifierWatcher";

    public bool HandlesChildPaths => false;

    public static async Task<StandInStatusNotifierWatcher> StartAsync(string address)
    {
        var connection = new DBusConnection(address);
        await connection.ConnectAsync();
        var watcher = new StandInStatusNotifierWatcher(connection);
        connection.AddMethodHandler(watcher);
        await connection.RequestNameAsync(Interface, RequestNameOptions.None);
        return watcher;
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        switch (request.InterfaceAsString, request.MemberAsString)
        {
            case (Interface, "RegisterStatusNotifierItem"):
            {
                var service = request.GetBodyReader().ReadString();
                _registered.Enqueue((service, request.SenderAsString ?? ""));
                using var writer = context.CreateReplyWriter(null);
                context.Reply(writer.CreateMessage());
                return default;
            }
            case (Interface, "RegisterStatusNotifierHost"):
            {
                using var writer = context.CreateReplyWriter(null);
                context.Reply(writer.CreateMessage());
                return default;
            }
            case ("org.freedesktop.DBus.Properties", "Get"):
            {
                var reader = request.GetBodyReader();
                reader.ReadString();
                var name = reader.ReadString();
                using var writer = context.CreateReplyWriter("v");
                switch (name)
                {
                    case "IsStatusNotifierHostRegistered":
                        writer.WriteVariantBool(true);
                        break;
                    case "ProtocolVersion":
                        writer.WriteVariantInt32(0);
                        break;
                    default:
                        writer.WriteVariant(
                            VariantValue.Array(_registered.Select(r => r.Service).ToArray())
                        );
                        break;
                }
                context.Reply(writer.CreateMessage());
                return default;
            }
            default:
                context.ReplyUnknownMethodError();
                return default;
        }
    }

    /// <summary><c>org.freedesktop.DBus.Properties.Get</c> on another service's object.</summary>
    public Task<VariantValue> GetPropertyAsync(
        string service,
        string path,
        string iface,
        string name
    )
    {
        return _connection.CallMethodAsync(
            Message(
                service,
                path,
                "org.freedesktop.DBus.Properties",
                "Get",
                "ss",
                (ref MessageWriter w) =>
                {
                    w.WriteString(iface);
                    w.WriteString(name);
                }
            ),
            static (Message m, object? _) => m.GetBodyReader().ReadVariantValue()
        );
    }

    /// <summary>The dbusmenu's top-level items: id, label (separators: ""), enabled.</summary>
    public Task<List<(int Id, string Label, bool Enabled)>> GetMenuAsync(
        string service,
        string menuPath
    )
    {
        return _connection.CallMethodAsync(
            Message(
                service,
                menuPath,
                "com.canonical.dbusmenu",
                "GetLayout",
                "iias",
                (ref MessageWriter w) =>
                {
                    w.WriteInt32(0);
                    w.WriteInt32(-1);
                    w.WriteArray(Array.Empty<string>());
                }
            ),
            static (Message m, object? _) =>
            {
                var reader = m.GetBodyReader();
                reader.ReadUInt32();
                reader.AlignStruct();
                reader.ReadInt32();
                reader.ReadDictionaryOfStringToVariantValue();
                var items = new List<(int, string, bool)>();
                var end = reader.ReadArrayStart(DBusType.Variant);
                while (reader.HasNext(end))
                {
                    var item = reader.ReadVariantValue();
                    var properties = item.GetItem(1).GetDictionary<string, VariantValue>();
                    items.Add(
                        (
                            item.GetItem(0).GetInt32(),
                            properties.TryGetValue("label", out var label) ? label.GetString() : "",
                            !properties.TryGetValue("enabled", out var enabled) || enabled.GetBool()
                        )
                    );
                }
                return items;
            }
        );
    }

    /// <summary>Whether a connection owns <paramref name="name"/> on the bus (<c>NameHasOwner</c>).</summary>
    public Task<bool> HasOwnerAsync(string name) =>
        _connection.CallMethodAsync(
            Message(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "NameHasOwner",
                "s",
                (ref MessageWriter w) => w.WriteString(name)
            ),
            static (Message m, object? _) => m.GetBodyReader().ReadBool()
        );

    /// <summary>Clicks a menu item: <c>Event(id, "clicked", 0, timestamp)</c>.</summary>
    public Task ClickAsync(string service, string menuPath, int id) =>
        _connection.CallMethodAsync(
            Message(
                service,
                menuPath,
                "com.canonical.dbusmenu",
                "Event",
                "isvu",
                (ref MessageWriter w) =>
                {
                    w.WriteInt32(id);
                    w.WriteString("clicked");
                    w.WriteVariantInt32(0);
                    w.WriteUInt32(0);
                }
            )
        );

    private MessageBuffer Message(
        string service,
        string path,
        string iface,
        string member,
        string signature,
        FileSync.Tray.Linux.MessageBodyWriter body
    )
    {
        var writer = _connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(
                service,
                path,
                iface,
                member,
                signature,
                MessageFlags.None
            );
            body(ref writer);
            return writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
    }

    public void Dispose() => _connection.Dispose();
}
