using System.Text.Json;
using FileSync.Protocol;
using FileSync.Server.Edges;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FileSync.Server.Api;

/// <summary>
/// The REST calls a todoforai edge client makes besides its WebSocket (served in the todoforai
/// dialect only): <c>GET /api/v1/apikey/validate</c>, its key check before it connects, and
/// <c>PATCH /api/v1/edges/{edgeId}</c>, how it announces a workspace path it added. Both take the
/// key in the <c>x-api-key</c> header.
/// </summary>
internal static class TodoforaiApi
{
    public const string ValidatePath = "/api/v1/apikey/validate";
    public const string EdgePath = "/api/v1/edges/{edgeId}";
    public const string ApiKeyHeader = "x-api-key";
    public const string InvalidApiKey = "Invalid API key";

    public static void MapTodoforaiApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(ValidatePath, (RequestDelegate)ValidateAsync);
        endpoints.MapMethods(EdgePath, [HttpMethods.Patch], (RequestDelegate)PatchEdgeAsync);
    }

    /// <summary>200 <c>{valid: true, userId}</c> for the server's key (any key when it has none); 401 otherwise.</summary>
    private static Task ValidateAsync(HttpContext context)
    {
        if (!IsAuthorized(context))
        {
            return RefuseAsync(context);
        }
        return context.Response.WriteAsJsonAsync(
            new ApiKeyValidation(true, EdgeIds.UserId, null),
            ServerJsonContext.Default.ApiKeyValidation,
            cancellationToken: context.RequestAborted
        );
    }

    /// <summary>
    /// Records the <c>updates.workspacepaths</c> of <c>{updates: {...}}</c> as roots the edge announced
    /// (other fields are accepted and ignored); answers the edge's known roots.
    /// </summary>
    private static async Task PatchEdgeAsync(HttpContext context)
    {
        if (!IsAuthorized(context))
        {
            await RefuseAsync(context);
            return;
        }
        var edgeId = context.Request.RouteValues["edgeId"] as string ?? "";
        List<string> paths;
        try
        {
            using var document = await JsonDocument.ParseAsync(
                context.Request.Body,
                cancellationToken: context.RequestAborted
            );
            paths = WorkspacePathsOf(document.RootElement, "updates");
        }
        catch (Exception ex) when (ex is JsonException or BadHttpRequestException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(
                new ApiError("body must be JSON {\"updates\": {\"workspacepaths\": [...]}}"),
                ServerJsonContext.Default.ApiError,
                cancellationToken: context.RequestAborted
            );
            return;
        }
        var roots = context.RequestServices.GetRequiredService<EdgeRegistry>().RootsOf(edgeId);
        roots.Add(paths);
        var logger = context
            .RequestServices.GetRequiredService<ILoggerFactory>()
            .CreateLogger(typeof(TodoforaiApi).FullName!);
        Log.RootsAnnounced(logger, LogText.Clean(edgeId), paths.Count, roots.Roots.Count);
        await context.Response.WriteAsJsonAsync(
            new EdgeConfigAnswer(edgeId, roots.Roots),
            ServerJsonContext.Default.EdgeConfigAnswer,
            cancellationToken: context.RequestAborted
        );
    }

    /// <summary>
    /// The strings of <c>workspacepaths</c> in <paramref name="element"/> (or in its
    /// <paramref name="container"/> object); empty when there are none.
    /// </summary>
    public static List<string> WorkspacePathsOf(JsonElement element, string? container = null)
    {
        var paths = new List<string>();
        if (
            container is not null
            && element.ValueKind == JsonValueKind.Object
            && element.TryGetProperty(container, out var inner)
        )
        {
            element = inner;
        }
        if (
            element.ValueKind == JsonValueKind.Object
            && element.TryGetProperty("workspacepaths", out var list)
            && list.ValueKind == JsonValueKind.Array
        )
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    continue;
                }
                try
                {
                    paths.Add(item.GetString()!);
                }
                catch (InvalidOperationException)
                {
                    // A lone surrogate escape ("\ud800") is valid JSON but no text: no path.
                }
            }
        }
        return paths;
    }

    /// <summary>
    /// An <c>edge:config_update</c> the admin API forwards to an edge: its <c>workspacepaths</c>
    /// become roots known for that edge, so that frames carrying only a path can be placed.
    /// </summary>
    public static void RememberConfigUpdate(EdgeRegistry registry, string edgeId, byte[] command)
    {
        using var document = JsonDocument.Parse(command);
        if (document.RootElement.TryGetProperty("payload", out var payload))
        {
            registry.RootsOf(edgeId).Add(WorkspacePathsOf(payload));
        }
    }

    private static bool IsAuthorized(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<ServerOptions>();
        var verifier = new ApiKeyVerifier(options.ApiKey);
        return verifier.IsOpen
            || (
                context.Request.Headers[ApiKeyHeader].ToString() is { Length: > 0 } offered
                && verifier.IsExpectedKey(offered)
            );
    }

    private static Task RefuseAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return context.Response.WriteAsJsonAsync(
            new ApiKeyValidation(false, null, InvalidApiKey),
            ServerJsonContext.Default.ApiKeyValidation,
            cancellationToken: context.RequestAborted
        );
    }
}

/// <summary>Body of <c>GET /api/v1/apikey/validate</c>, as the todoforai clients read it.</summary>
internal sealed record ApiKeyValidation(bool Valid, string? UserId, string? Error);

/// <summary>Body of <c>PATCH /api/v1/edges/{edgeId}</c>: the roots now known for the edge.</summary>
internal sealed record EdgeConfigAnswer(
    string Id,
    [property: System.Text.Json.Serialization.JsonPropertyName("workspacepaths")]
        IReadOnlyList<string> WorkspacePaths
);
