using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Errors;
using Microsoft.AspNetCore.Http;

namespace IotLabKit.Emulator.Rest;

/// <summary>Responses and request bodies as the hub writes and reads them.</summary>
public static class HubResults
{
    /// <summary>A JSON body with exactly <c>application/json; charset=utf-8</c> (Node parses nothing else).</summary>
    public static IResult Json(JsonNode body, int status = StatusCodes.Status200OK) => new JsonNodeResult(body, status);

    /// <summary>Reads the request body as a JSON object (see <see cref="HubJson.ParseObject"/> for the errors).</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, string what)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        return HubJson.ParseObject(text, what);
    }

    /// <summary>The request's <c>If-Match</c> precondition.</summary>
    public static ETagCondition IfMatch(HttpRequest request) => ETagCondition.Parse(request.Headers.IfMatch);

    private sealed class JsonNodeResult(JsonNode body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = ErrorResponseFactory.JsonContentType;
            return context.Response.WriteAsync(HubJson.Write(body), context.RequestAborted);
        }
    }
}
