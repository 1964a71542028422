using FileSync.Protocol;
using MessagePack;
using static FileSync.Edge.Tests.Protocol.PackedBytes;

namespace FileSync.Edge.Tests.Protocol;

/// <summary>Binary frames of every malformed shape are refused with a one-line reason, never an exception.</summary>
public sealed class MessagePackHostileFrameTests
{
    public static TheoryData<string, byte[]> HostileFrames() =>
        new()
        {
            { "not a map", Pack((ref MessagePackWriter w) => w.WriteArrayHeader(0)) },
            {
                "no type",
                Pack(
                    (ref MessagePackWriter w) =>
                        Map(ref w, ("payload", (ref MessagePackWriter w2) => w2.WriteMapHeader(0)))
                )
            },
            {
                "type not a string",
                Pack(
                    (ref MessagePackWriter w) =>
                        Map(ref w, ("type", (ref MessagePackWriter w2) => w2.Write(5)))
                )
            },
            {
                "payload not a map",
                Pack(
                    (ref MessagePackWriter w) =>
                        Map(
                            ref w,
                            ("type", (ref MessagePackWriter w2) => w2.Write("x")),
                            ("payload", (ref MessagePackWriter w2) => w2.Write(1))
                        )
                )
            },
            {
                "map key not a string",
                Pack(
                    (ref MessagePackWriter w) =>
                    {
                        w.WriteMapHeader(2);
                        w.Write("type");
                        w.Write("x");
                        w.Write(7);
                        w.Write(true);
                    }
                )
            },
            {
                "string not UTF-8",
                Pack(
                    (ref MessagePackWriter w) =>
                    {
                        w.WriteMapHeader(1);
                        w.Write("type");
                        w.WriteStringHeader(2);
                        w.WriteRaw([0xc3, 0x28]);
                    }
                )
            },
            {
                "extension type",
                Pack(
                    (ref MessagePackWriter w) =>
                    {
                        w.WriteMapHeader(2);
                        w.Write("type");
                        w.Write("x");
                        w.Write("payload");
                        w.WriteMapHeader(1);
                        w.Write("when");
                        w.Write(DateTime.UnixEpoch);
                    }
                )
            },
            {
                "nested 1000 deep",
                Pack(
                    (ref MessagePackWriter w) =>
                    {
                        w.WriteMapHeader(2);
                        w.Write("type");
                        w.Write("x");
                        w.Write("payload");
                        w.WriteMapHeader(1);
                        w.Write("a");
                        for (var i = 0; i < 1000; i++)
                        {
                            w.WriteArrayHeader(1);
                        }
                        w.WriteNil();
                    }
                )
            },
            {
                "map claims 2^31 entries",
                Pack(
                    (ref MessagePackWriter w) =>
                    {
                        w.WriteMapHeader(2);
                        w.Write("type");
                        w.Write("x");
                        w.Write("payload");
                        w.WriteMapHeader(int.MaxValue);
                    }
                )
            },
            {
                "bytes after the map",
                [
                    .. Pack(
                        (ref MessagePackWriter w) =>
                            Map(ref w, ("type", (ref MessagePackWriter w2) => w2.Write("x")))
                    ),
                    0xc0,
                ]
            },
            {
                "not finite",
                Pack(
                    (ref MessagePackWriter w) =>
                        Map(
                            ref w,
                            ("type", (ref MessagePackWriter w2) => w2.Write("x")),
                            (
                                "payload",
                                (ref MessagePackWriter w2) =>
                                {
                                    w2.WriteMapHeader(1);
                                    w2.Write("n");
                                    w2.Write(double.NaN);
                                }
                            )
                        )
                )
            },
        };

    [Theory]
    [MemberData(nameof(HostileFrames))]
    public void TryParse_HostileFrame_RefusedWithAOneLineReason(string what, byte[] frame)
    {
        var ok = ProtocolMessage.TryParse(frame, WireFormat.MessagePack, out _, out var error);

        Assert.False(ok, what);
        Assert.DoesNotContain('\n', error);
        Assert.NotEmpty(error);
    }

    [Fact]
    public void TryReadPayload_FieldOfTheWrongType_RefusedNotThrown()
    {
        var frame = Pack(
            (ref MessagePackWriter w) =>
                Map(
                    ref w,
                    ("type", (ref MessagePackWriter w2) => w2.Write(MessageTypes.FileCreateSync)),
                    (
                        "payload",
                        (ref MessagePackWriter w2) =>
                        {
                            w2.WriteMapHeader(2);
                            w2.Write("relativePath");
                            w2.Write(42);
                            w2.Write("size");
                            w2.Write("big");
                        }
                    )
                )
        );
        Assert.True(
            ProtocolMessage.TryParse(frame, WireFormat.MessagePack, out var message, out _)
        );

        Assert.False(message.TryReadPayload<IncomingFileSync>(out _, out var error));
        Assert.Contains("relativePath", error);
    }
}
