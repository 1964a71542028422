using System.Runtime.Versioning;
using System.Text;
using FileSync.Tray.Icons;
using FileSync.Tray.State;
using Tmds.DBus.Protocol;

namespace FileSync.Tray.Linux;

/// <summary>
/// <c>org.kde.StatusNotifierItem</c> at <see cref="SniTrayIcon.ItemPath"/>: the properties Category, Id,
/// Title, Status, IconName (a theme hint) and IconPixmap (the project's own art, several sizes),
/// AttentionIconName, IconThemePath, ToolTip (escaped markup), Menu, ItemIsMenu, WindowId, through <c>org.freedesktop.DBus.Properties</c>; Activate shows the status.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class StatusNotifierItemHandler(SniTrayIcon icon) : DBusObjectHandler
{
    public const string Interface = "org.kde.StatusNotifierItem";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    private static readonly string[] s_properties =
    [
        "Category",
        "Id",
        "Title",
        "Status",
        "WindowId",
        "IconName",
        "IconPixmap",
        "OverlayIconName",
        "OverlayIconPixmap",
        "AttentionIconName",
        "AttentionIconPixmap",
        "AttentionMovieName",
        "IconThemePath",
        "ToolTip",
        "ItemIsMenu",
        "Menu",
    ];

    private static readonly ReadOnlyMemory<byte> s_introspection = Encoding.UTF8.GetBytes(
        """
        <interface name="org.kde.StatusNotifierItem">
          <property name="Category" type="s" access="read"/>
          <property name="Id" type="s" access="read"/>
          <property name="Title" type="s" access="read"/>
          <property name="Status" type="s" access="read"/>
          <property name="WindowId" type="i" access="read"/>
          <property name="IconName" type="s" access="read"/>
          <property name="IconPixmap" type="a(iiay)" access="read"/>
          <property name="OverlayIconName" type="s" access="read"/>
          <property name="OverlayIconPixmap" type="a(iiay)" access="read"/>
          <property name="AttentionIconName" type="s" access="read"/>
          <property name="AttentionIconPixmap" type="a(iiay)" access="read"/>
          <property name="AttentionMovieName" type="s" access="read"/>
          <property name="IconThemePath" type="s" access="read"/>
          <property name="ToolTip" type="(sa(iiay)ss)" access="read"/>
          <property name="ItemIsMenu" type="b" access="read"/>
          <property name="Menu" type="o" access="read"/>
          <method name="ContextMenu"><arg name="x" type="i" direction="in"/><arg name="y" type="i" direction="in"/></method>
          <method name="Activate"><arg name="x" type="i" direction="in"/><arg name="y" type="i" direction="in"/></method>
          <method name="SecondaryActivate"><arg name="x" type="i" direction="in"/><arg name="y" type="i" direction="in"/></method>
          <method name="Scroll"><arg name="delta" type="i" direction="in"/><arg name="orientation" type="s" direction="in"/></method>
          <signal name="NewTitle"/>
          <signal name="NewIcon"/>
          <signal name="NewAttentionIcon"/>
          <signal name="NewOverlayIcon"/>
          <signal name="NewToolTip"/>
          <signal name="NewStatus"><arg name="status" type="s"/></signal>
        </interface>
        """
    );

    public override string Path => SniTrayIcon.ItemPath;

    protected override void Handle(MethodContext context)
    {
        var request = context.Request;
        if (context.IsDBusIntrospectRequest)
        {
            context.ReplyIntrospectXml([s_introspection], Array.Empty<string>());
            return;
        }
        switch (request.InterfaceAsString, request.MemberAsString)
        {
            case (PropertiesInterface, "Get"):
            {
                var reader = request.GetBodyReader();
                var iface = reader.ReadString();
                var name = reader.ReadString();
                if (iface != Interface || !s_properties.Contains(name))
                {
                    context.ReplyError(
                        "org.freedesktop.DBus.Error.UnknownProperty",
                        $"no property {iface}.{name}"
                    );
                    return;
                }
                var writer = context.CreateReplyWriter("v");
                try
                {
                    WriteProperty(ref writer, name, icon.View);
                    context.Reply(writer.CreateMessage());
                }
                finally
                {
                    writer.Dispose();
                }
                return;
            }
            case (PropertiesInterface, "GetAll"):
            {
                var iface = request.GetBodyReader().ReadString();
                var writer = context.CreateReplyWriter("a{sv}");
                try
                {
                    var dictionary = writer.WriteDictionaryStart();
                    if (iface == Interface)
                    {
                        var view = icon.View;
                        foreach (var name in s_properties)
                        {
                            writer.WriteDictionaryEntryStart();
                            writer.WriteString(name);
                            WriteProperty(ref writer, name, view);
                        }
                    }
                    writer.WriteDictionaryEnd(dictionary);
                    context.Reply(writer.CreateMessage());
                }
                finally
                {
                    writer.Dispose();
                }
                return;
            }
            case (PropertiesInterface, "Set"):
                context.ReplyError(
                    "org.freedesktop.DBus.Error.PropertyReadOnly",
                    "the properties are read-only"
                );
                return;
            case (Interface, "Activate"):
                icon.OnMenuItem(TrayMenuBuilder.ShowStatusId);
                ReplyEmpty(context);
                return;
            case (Interface, "ContextMenu" or "SecondaryActivate" or "Scroll"):
                ReplyEmpty(context);
                return;
            default:
                context.ReplyUnknownMethodError();
                return;
        }
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

    /// <summary>The state's own icon at every size of <see cref="StateIconArt.PixmapSizes"/>: width, height, ARGB32 in network byte order.</summary>
    private static void WritePixmaps(ref MessageWriter writer, TrayKind kind)
    {
        var array = writer.WriteArrayStart(DBusType.Struct);
        foreach (var size in StateIconArt.PixmapSizes)
        {
            writer.WriteStructureStart();
            writer.WriteInt32(size);
            writer.WriteInt32(size);
            writer.WriteArray(StateIconArt.NetworkOrderArgb(kind, size));
        }
        writer.WriteArrayEnd(array);
    }

    /// <summary>Writes the value of property <paramref name="name"/> as a variant.</summary>
    private static void WriteProperty(ref MessageWriter writer, string name, TrayView view)
    {
        switch (name)
        {
            case "Category":
                writer.WriteVariantString("ApplicationStatus");
                break;
            case "Id":
                writer.WriteVariantString("filesync-tray");
                break;
            case "Title":
                writer.WriteVariantString(view.Title);
                break;
            case "Status":
                writer.WriteVariantString(view.Status);
                break;
            case "WindowId":
                writer.WriteVariantInt32(0);
                break;
            case "IconName" or "AttentionIconName":
                writer.WriteVariantString(view.IconName);
                break;
            case "OverlayIconName" or "AttentionMovieName" or "IconThemePath":
                writer.WriteVariantString("");
                break;
            case "IconPixmap" or "AttentionIconPixmap":
                writer.WriteSignature("a(iiay)");
                WritePixmaps(ref writer, view.Kind);
                break;
            case "OverlayIconPixmap":
                writer.WriteSignature("a(iiay)");
                writer.WriteArrayEnd(writer.WriteArrayStart(DBusType.Struct));
                break;
            case "ToolTip":
                // Title and text are markup for the host (the spec's subset of HTML): escaped.
                writer.WriteSignature("(sa(iiay)ss)");
                writer.WriteStructureStart();
                writer.WriteString(view.IconName);
                WritePixmaps(ref writer, view.Kind);
                writer.WriteString(SniMarkup.Escape(view.Title));
                writer.WriteString(SniMarkup.Escape(view.Text));
                break;
            case "ItemIsMenu":
                writer.WriteVariantBool(false); // a left click activates (shows the status); the menu is on the right button
                break;
            case "Menu":
                writer.WriteVariantObjectPath(SniTrayIcon.MenuPath);
                break;
        }
    }
}
