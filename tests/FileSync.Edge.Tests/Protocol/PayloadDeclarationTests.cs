using System.Reflection;
using System.Text.Json;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Protocol;

/// <summary>
/// A payload is declared in its record, and its JSON and MessagePack forms must follow: every message
/// type has a sample (<see cref="WireSamples"/>), every payload type has source-generated JSON
/// metadata, and every field survives both wire formats into what the receiver reads. What these
/// catch would otherwise fail only at run time: a type left out of <c>ProtocolJsonContext</c>, a field
/// the hand-written MessagePack reader or the server's lenient view does not know.
/// </summary>
public sealed class PayloadDeclarationTests
{
    public static TheoryData<string> MessageTypeNames() => [.. DeclaredMessageTypes()];

    [Fact]
    public void MessageTypes_EveryConstant_HasAWireSample()
    {
        Assert.Equal(DeclaredMessageTypes().Order(), WireSamples.ByType.Keys.Order());
    }

    [Fact]
    public void PayloadTypes_Every_HasSourceGeneratedJsonMetadata()
    {
        // By name: a record added next to the others is checked before any sample mentions it.
        var byName = typeof(ProtocolMessage)
            .Assembly.GetExportedTypes()
            .Where(t =>
                t is { IsClass: true, IsAbstract: false }
                && (
                    t.Name.EndsWith("Payload", StringComparison.Ordinal)
                    || t.Name.StartsWith("Incoming", StringComparison.Ordinal)
                )
            )
            .ToList();
        var sampled = WireSamples.ByType.Values.SelectMany(s =>
            new[] { s.PayloadType, s.ReadType }
        );
        var payloadTypes = byName.Union(sampled).ToList();
        Assert.Contains(typeof(IncomingManifestEntry), payloadTypes);
        Assert.Contains(typeof(FileSyncPayload), payloadTypes);

        var missing = payloadTypes
            .Where(t => ProtocolJsonContext.Default.GetTypeInfo(t) is null)
            .Select(t => t.Name)
            .ToList();

        Assert.True(
            missing.Count == 0,
            "add [JsonSerializable(typeof(…))] to ProtocolJsonContext for: "
                + string.Join(", ", missing)
        );
    }

    [Theory]
    [MemberData(nameof(MessageTypeNames))]
    public void Sample_OfEachMessage_SetsEveryFieldOfItsPayload(string type)
    {
        var sample = WireSamples.ByType[type];
        var payload = Parse(sample.Write(WireFormat.Json), WireFormat.Json).Payload;

        var unset = ProtocolJsonContext
            .Default.GetTypeInfo(sample.PayloadType)!
            .Properties.Select(p => p.Name)
            .Where(name =>
                !payload.TryGetProperty(name, out var value)
                || value.ValueKind == JsonValueKind.Null
            )
            .ToList();

        Assert.True(
            unset.Count == 0,
            $"the {type} sample in WireSamples leaves unset: {string.Join(", ", unset)}"
        );
    }

    [Theory]
    [MemberData(nameof(MessageTypeNames))]
    public void Message_InBothWireFormats_ReceiverReadsEveryFieldSent(string type)
    {
        var sample = WireSamples.ByType[type];
        var json = Parse(sample.Write(WireFormat.Json), WireFormat.Json);
        var packedFrame = sample.Write(WireFormat.MessagePack);
        Assert.NotEqual((byte)'{', packedFrame[0]);
        var packed = Parse(packedFrame, WireFormat.MessagePack);

        var (fromJson, jsonError) = sample.Read(json);
        var (fromPacked, packedError) = sample.Read(packed);

        Assert.True(fromJson is not null, $"{type} as JSON: {jsonError}");
        Assert.True(fromPacked is not null, $"{type} as MessagePack: {packedError}");
        // The receiver reads every field the sender wrote (but those its view leaves out on purpose)…
        foreach (var field in json.Payload.EnumerateObject())
        {
            if (sample.NotRead.Contains(field.Name))
            {
                continue;
            }
            Assert.True(
                fromJson.Value.TryGetProperty(field.Name, out var read),
                $"{type}: {sample.ReadType.Name} has no '{field.Name}'"
            );
            AssertSameValue(type, field.Name, field.Value, read);
        }
        // …and the same from either wire format.
        var names = fromJson
            .Value.EnumerateObject()
            .Select(p => p.Name)
            .Union(fromPacked.Value.EnumerateObject().Select(p => p.Name))
            .Except(sample.PerFormat);
        foreach (var name in names)
        {
            Assert.True(
                fromPacked.Value.TryGetProperty(name, out var packedValue),
                $"{type}: '{name}' is lost in MessagePack"
            );
            Assert.True(
                fromJson.Value.TryGetProperty(name, out var jsonValue),
                $"{type}: '{name}' is read only from MessagePack"
            );
            AssertSameValue(type, name, jsonValue, packedValue);
        }
    }

    private static IEnumerable<string> DeclaredMessageTypes() =>
        typeof(MessageTypes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

    private static ProtocolMessage Parse(byte[] frame, WireFormat format)
    {
        Assert.True(
            ProtocolMessage.TryParse(frame, format, out var message, out var error),
            $"{format}: {error}"
        );
        Assert.Equal(format, message.Format);
        return message;
    }

    private static void AssertSameValue(
        string type,
        string field,
        JsonElement expected,
        JsonElement actual
    ) =>
        Assert.True(
            JsonElement.DeepEquals(expected, actual),
            $"{type}: '{field}' was {expected.GetRawText()}, read {actual.GetRawText()}"
        );
}
