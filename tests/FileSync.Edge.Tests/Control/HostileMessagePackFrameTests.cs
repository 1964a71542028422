using System.Net.WebSockets;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// Every hostile-frame test again on a connection whose server announced <c>msgpack</c> (replies come
/// as binary MessagePack, text frames still count), plus malformed binary frames of every cut.
/// </summary>
public sealed class HostileMessagePackFrameTests(ITestOutputHelper output)
    : HostileFrameTests(output)
{
    protected override string HelloCapabilities => "\"msgpack\"";

    [Fact]
    public async Task Session_ServerAnnouncedMessagePack_RepliesAreBinary()
    {
        StartControlStage();

        await Connection.SendTextAsync(
            """{"type":"edge:status_request","payload":{"requestId":"r-packed"}}"""
        );

        var status = await Connection.ReceiveStatusAsync("r-packed");
        Assert.Equal(WireFormat.MessagePack, status.Format);
        Assert.Equal(WireFormat.MessagePack, Uplink.Session!.Format);
    }

    [Fact]
    public async Task Frame_EveryCutOfAValidBinaryCommand_OneErrorEachAndTheConnectionStays()
    {
        StartControlStage();
        var epoch = Uplink.Session!.Epoch;
        var frame = ProtocolMessage.Serialize(
            MessageTypes.StatusRequest,
            new StatusRequestPayload { RequestId = "whole" },
            WireFormat.MessagePack
        );

        for (var length = 1; length < frame.Length; length += 3)
        {
            await Connection.SendAsync(frame.AsMemory(0, length), WebSocketMessageType.Binary);
            await Connection.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        }
        await Connection.SendAsync(frame, WebSocketMessageType.Binary);

        await Connection.ReceiveStatusAsync("whole");
        await AssertConnectedAsync(epoch);
    }
}
