using System.Text.Json;
using FileSync.Protocol;
using FileSync.Server.Edges;
using FileSync.Server.Mirror;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FileSync.Server.Api;

/// <summary>
/// The admin HTTP API: <c>GET /api/status</c>, <c>POST /api/edges/{edgeId}/commands</c>,
/// <c>GET /api/edges/{edgeId}/replies</c>. Handlers are plain <see cref="RequestDelegate"/>s that
/// write JSON through <see cref="ServerJsonContext"/> (no reflection, trim-safe).
/// </summary>
internal static class AdminApi
{
    public const string StatusPath = "/api/status";
    public const string CommandsPath = "/api/edges/{edgeId}/commands";
    public const string RepliesPath = "/api/edges/{edgeId}/replies";

    public static void MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(StatusPath, (RequestDelegate)GetStatusAsync);
        endpoints.MapPost(CommandsPath, (RequestDelegate)PostCommandAsync);
        endpoints.MapGet(RepliesPath, (RequestDelegate)GetRepliesAsync);
    }

    private static Task GetStatusAsync(HttpContext context)
    {
        var registry = context.RequestServices.GetRequiredService<EdgeRegistry>();
        var store = context.RequestServices.GetRequiredService<MirrorStore>();
        var status = new ServerStatus
        {
            Edges =
            [
                .. registry.ConnectedEdges.Select(s => new EdgeConnectionStatus
                {
                    EdgeId = s.EdgeId,
                    Capabilities = s.Capabilities,
                    ConnectedAt = s.ConnectedAt,
                    Wire = s.Format == WireFormat.MessagePack ? "msgpack" : "json",
                    Compressed = s.Compressed,
                }),
            ],
            Workspaces = store.GetWorkspaces(),
        };
        return context.Response.WriteAsJsonAsync(
            status,
            ServerJsonContext.Default.ServerStatus,
            cancellationToken: context.RequestAborted
        );
    }

    private static Task GetRepliesAsync(HttpContext context)
    {
        var registry = context.RequestServices.GetRequiredService<EdgeRegistry>();
        var replies = registry.GetReplies(EdgeIdOf(context));
        return context.Response.WriteAsJsonAsync(
            replies,
            ServerJsonContext.Default.ReplyRecordArray,
            cancellationToken: context.RequestAborted
        );
    }

    private static async Task PostCommandAsync(HttpContext context)
    {
        var registry = context.RequestServices.GetRequiredService<EdgeRegistry>();
        var logger = context
            .RequestServices.GetRequiredService<ILoggerFactory>()
            .CreateLogger(typeof(AdminApi).FullName!);
        var edgeId = EdgeIdOf(context);
        if (!registry.TryGetSession(edgeId, out var session))
        {
            await ErrorAsync(
                context,
                logger,
                edgeId,
                StatusCodes.Status404NotFound,
                "edge is not connected"
            );
            return;
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException ex)
        {
            await ErrorAsync(
                context,
                logger,
                edgeId,
                ex.StatusCode,
                "request body could not be read (too large?)"
            );
            return;
        }

        if (!TryGetCommandType(body, out var type, out var problem))
        {
            await ErrorAsync(context, logger, edgeId, StatusCodes.Status400BadRequest, problem);
            return;
        }
        if (type == MessageTypes.ConfigUpdate)
        {
            TodoforaiApi.RememberConfigUpdate(registry, edgeId, body);
        }
        if (!await session.TrySendAsync(body, context.RequestAborted))
        {
            await ErrorAsync(
                context,
                logger,
                edgeId,
                StatusCodes.Status404NotFound,
                "edge disconnected while sending"
            );
            return;
        }
        Log.CommandForwarded(logger, LogText.Clean(type), edgeId);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    /// <summary>A command must be a JSON object with a string <c>type</c>; it is forwarded byte for byte.</summary>
    private static bool TryGetCommandType(byte[] body, out string type, out string problem)
    {
        type = "";
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "body must be a JSON object {\"type\": ..., \"payload\": ...}";
                return false;
            }
            if (
                !root.TryGetProperty("type", out var typeElement)
                || typeElement.ValueKind != JsonValueKind.String
            )
            {
                problem = "body must have a string 'type'";
                return false;
            }
            type = typeElement.GetString()!;
            problem = "";
            return true;
        }
        catch (JsonException)
        {
            problem = "body is not valid JSON";
            return false;
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape ("\ud800") parses as JSON but is no text.
            problem = "'type' is not valid Unicode text";
            return false;
        }
    }

    private static string EdgeIdOf(HttpContext context) =>
        context.Request.RouteValues["edgeId"] as string ?? "";

    private static Task ErrorAsync(
        HttpContext context,
        ILogger logger,
        string edgeId,
        int statusCode,
        string message
    )
    {
        Log.CommandRejected(logger, LogText.Clean(edgeId), statusCode, message);
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(
            new ApiError(message),
            ServerJsonContext.Default.ApiError,
            cancellationToken: context.RequestAborted
        );
    }
}
