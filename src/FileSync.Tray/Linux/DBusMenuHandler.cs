using System.Runtime.Versioning;
using System.Text;
using FileSync.Tray.State;
using Tmds.DBus.Protocol;

namespace FileSync.Tray.Linux;

/// <summary>
/// <c>com.canonical.dbusmenu</c> at <see cref="SniTrayIcon.MenuPath"/>: a flat menu (the root, id 0,
/// with the items of <see cref="TrayMenuBuilder"/> as children). GetLayout, GetGroupProperties,
/// GetProperty, Event / EventGroup ("clicked" runs the item), AboutToShow / AboutToShowGroup, and the
/// properties Version, TextDirection, Status, IconThemePath; LayoutUpdated is sent on every change.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class DBusMenuHandler(SniTrayIcon icon) : DBusObjectHandler
{
    public const string Interface = "com.canonical.dbusmenu";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    private static readonly ReadOnlyMemory<byte> s_introspection = Encoding.UTF8.GetBytes(
        """
        <interface name="com.canonical.dbusmenu">
          <property name="Version" type="u" access="read"/>
          <property name="TextDirection" type="s" access="read"/>
          <property name="Status" type="s" access="read"/>
          <property name="IconThemePath" type="as" access="read"/>
          <method name="GetLayout"><arg type="i" name="parentId" direction="in"/><arg type="i" name="recursionDepth" direction="in"/><arg type="as" name="propertyNames" direction="in"/><arg type="u" name="revision" direction="out"/><arg type="(ia{sv}av)" name="layout" direction="out"/></method>
          <method name="GetGroupProperties"><arg type="ai" name="ids" direction="in"/><arg type="as" name="propertyNames" direction="in"/><arg type="a(ia{sv})" name="properties" direction="out"/></method>
          <method name="GetProperty"><arg type="i" name="id" direction="in"/><arg type="s" name="name" direction="in"/><arg type="v" name="value" direction="out"/></method>
          <method name="Event"><arg type="i" name="id" direction="in"/><arg type="s" name="eventId" direction="in"/><arg type="v" name="data" direction="in"/><arg type="u" name="timestamp" direction="in"/></method>
          <method name="EventGroup"><arg type="a(isvu)" name="events" direction="in"/><arg type="ai" name="idErrors" direction="out"/></method>
          <method name="AboutToShow"><arg type="i" name="id" direction="in"/><arg type="b" name="needUpdate" direction="out"/></method>
          <method name="AboutToShowGroup"><arg type="ai" name="ids" direction="in"/><arg type="ai" name="updatesNeeded" direction="out"/><arg type="ai" name="idErrors" direction="out"/></method>
          <signal name="ItemsPropertiesUpdated"><arg type="a(ia{sv})" name="updatedProps"/><arg type="a(ias)" name="removedProps"/></signal>
          <signal name="LayoutUpdated"><arg type="u" name="revision"/><arg type="i" name="parent"/></signal>
          <signal name="ItemActivationRequested"><arg type="i" name="id"/><arg type="u" name="timestamp"/></signal>
        </interface>
        """
    );

    public override string Path => SniTrayIcon.MenuPath;

    protected override void Handle(MethodContext context)
    {
        var request = context.Request;
        if (context.IsDBusIntrospectRequest)
        {
            context.ReplyIntrospectXml([s_introspection], Array.Empty<string>());
            return;
        }
        var (menu, revision) = icon.MenuState;
        switch (request.InterfaceAsString, request.MemberAsString)
        {
            case (Interface, "GetLayout"):
            {
                var reader = request.GetBodyReader();
                var parentId = reader.ReadInt32();
                var depth = reader.ReadInt32();
                using var writer = context.CreateReplyWriter("u(ia{sv}av)");
                writer.WriteUInt32(revision);
                writer.WriteStructureStart();
                var item = menu.FirstOrDefault(i => i.Id == parentId);
                if (parentId == 0 || item is null)
                {
                    writer.WriteInt32(0);
                    writer.WriteDictionary([
                        new("children-display", VariantValue.String("submenu")),
                    ]);
                    var children = writer.WriteArrayStart(DBusType.Variant);
                    if (depth != 0)
                    {
                        foreach (var child in menu)
                        {
                            writer.WriteVariant(
                                VariantValue.Struct(
                                    VariantValue.Int32(child.Id),
                                    Properties(child),
                                    VariantValue.ArrayOfVariant(Array.Empty<VariantValue>())
                                )
                            );
                        }
                    }
                    writer.WriteArrayEnd(children);
                }
                else
                {
                    writer.WriteInt32(item.Id);
                    writer.WriteDictionary(PropertyList(item));
                    writer.WriteArrayEnd(writer.WriteArrayStart(DBusType.Variant));
                }
                context.Reply(writer.CreateMessage());
                return;
            }
            case (Interface, "GetGroupProperties"):
            {
                var ids = request.GetBodyReader().ReadArrayOfInt32();
                using var writer = context.CreateReplyWriter("a(ia{sv})");
                var array = writer.WriteArrayStart(DBusType.Struct);
                foreach (var item in menu.Where(i => ids.Length == 0 || ids.Contains(i.Id)))
                {
                    writer.WriteStructureStart();
                    writer.WriteInt32(item.Id);
                    writer.WriteDictionary(PropertyList(item));
                }
                writer.WriteArrayEnd(array);
                context.Reply(writer.CreateMessage());
                return;
            }
            case (Interface, "GetProperty"):
            {
                var reader = request.GetBodyReader();
                var id = reader.ReadInt32();
                var name = reader.ReadString();
                var value = menu.FirstOrDefault(i => i.Id == id) is { } item
                    ? PropertyList(item).FirstOrDefault(p => p.Key == name)
                    : default;
                if (value.Key is null)
                {
                    context.ReplyError(
                        "org.freedesktop.DBus.Error.InvalidArgs",
                        $"no property {name} on item {id}"
                    );
                    return;
                }
                using var writer = context.CreateReplyWriter("v");
                writer.WriteVariant(value.Value);
                context.Reply(writer.CreateMessage());
                return;
            }
            case (Interface, "Event"):
            {
                var reader = request.GetBodyReader();
                var id = reader.ReadInt32();
                var eventId = reader.ReadString();
                // The answer goes out before the click is acted on: "Quit tray" ends the process,
                // and a host whose call goes unanswered reports an error (NoReply).
                ReplyEmpty(context);
                if (eventId == "clicked")
                {
                    icon.OnMenuItem(id);
                }
                return;
            }
            case (Interface, "EventGroup"):
            {
                var reader = request.GetBodyReader();
                var unknown = new List<int>();
                var clicked = new List<int>();
                var end = reader.ReadArrayStart(DBusType.Struct);
                while (reader.HasNext(end))
                {
                    reader.AlignStruct();
                    var id = reader.ReadInt32();
                    var eventId = reader.ReadString();
                    reader.ReadVariantValue();
                    reader.ReadUInt32();
                    if (menu.All(i => i.Id != id))
                    {
                        unknown.Add(id);
                    }
                    else if (eventId == "clicked")
                    {
                        clicked.Add(id);
                    }
                }
                using var writer = context.CreateReplyWriter("ai");
                writer.WriteArray(unknown.ToArray());
                context.Reply(writer.CreateMessage());
                clicked.ForEach(icon.OnMenuItem);
                return;
            }
            case (Interface, "AboutToShow"):
            {
                using var writer = context.CreateReplyWriter("b");
                writer.WriteBool(false);
                context.Reply(writer.CreateMessage());
                return;
            }
            case (Interface, "AboutToShowGroup"):
            {
                using var writer = context.CreateReplyWriter("aiai");
                writer.WriteArray(Array.Empty<int>());
                writer.WriteArray(Array.Empty<int>());
                context.Reply(writer.CreateMessage());
                return;
            }
            case (PropertiesInterface, "Get"):
            {
                var reader = request.GetBodyReader();
                reader.ReadString();
                var name = reader.ReadString();
                var value = MenuProperties().FirstOrDefault(p => p.Key == name);
                if (value.Key is null)
                {
                    context.ReplyError(
                        "org.freedesktop.DBus.Error.UnknownProperty",
                        $"no property {name}"
                    );
                    return;
                }
                using var writer = context.CreateReplyWriter("v");
                writer.WriteVariant(value.Value);
                context.Reply(writer.CreateMessage());
                return;
            }
            case (PropertiesInterface, "GetAll"):
            {
                using var writer = context.CreateReplyWriter("a{sv}");
                writer.WriteDictionary(MenuProperties());
                context.Reply(writer.CreateMessage());
                return;
            }
            default:
                context.ReplyUnknownMethodError();
                return;
        }
    }

    private static KeyValuePair<string, VariantValue>[] MenuProperties() =>
        [
            new("Version", VariantValue.UInt32(3)),
            new("TextDirection", VariantValue.String("ltr")),
            new("Status", VariantValue.String("normal")),
            new("IconThemePath", VariantValue.Array(Array.Empty<string>())),
        ];

    private static KeyValuePair<string, VariantValue>[] PropertyList(TrayMenuItem item) =>
        item.IsSeparator
            ? [new("type", VariantValue.String("separator"))]
            :
            [
                // '_' marks a mnemonic in dbusmenu labels; a literal one is doubled.
                new(
                    "label",
                    VariantValue.String(item.Label.Replace("_", "__", StringComparison.Ordinal))
                ),
                new("enabled", VariantValue.Bool(item.Enabled)),
                new("visible", VariantValue.Bool(true)),
            ];

    private static VariantValue Properties(TrayMenuItem item)
    {
        var dictionary = new Dict<string, VariantValue>();
        foreach (var (key, value) in PropertyList(item))
        {
            dictionary.Add(key, value);
        }
        return dictionary;
    }

    private static void ReplyEmpty(MethodContext context)
    {
        if (context.NoReplyExpected)
        {
            return;
        }
        using var writer = context.CreateReplyWriter(null);
        context.Reply(writer.CreateMessage());
    }
}
