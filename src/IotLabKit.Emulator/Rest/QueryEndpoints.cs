using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Query;
using IotLabKit.Emulator.Errors;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IotLabKit.Emulator.Rest;

/// <summary>
/// <c>POST /devices/query</c>: body <c>{"query":"SELECT …"}</c>, page size in <c>x-ms-max-item-count</c>, the
/// previous page's <c>x-ms-continuation</c>; answers a JSON array with <c>x-ms-item-type</c>, and
/// <c>x-ms-continuation</c> only when another page follows (Node's SDK reads an empty header as "more").
/// </summary>
public static class QueryEndpoints
{
    /// <summary>The request header with the page size, and the header that carries the continuation both ways.</summary>
    public const string MaxItemCountHeader = "x-ms-max-item-count", ContinuationHeader = "x-ms-continuation", ItemTypeHeader = "x-ms-item-type";

    /// <summary>Maps the query route.</summary>
    public static void Map(IEndpointRouteBuilder routes)
        => routes.MapPost("/devices/query", Query).WithMetadata(new RequiredPermission(IotHubPermissions.ServiceConnect));

    private static async Task<IResult> Query(HttpRequest request, QueryEngine engine)
    {
        var pageSize = QueryEngine.ReadPageSize(SingleHeader(request, MaxItemCountHeader));
        var continuation = SingleHeader(request, ContinuationHeader);
        var body = await HubResults.ReadObjectAsync(request, "the query request");
        var page = engine.Run(QueryText(body), pageSize, continuation);
        return new PageResult(page);
    }

    private static string QueryText(JsonObject body)
    {
        if (!body.TryGetPropertyValue("query", out var node) || node is null)
            throw new HubException(IotHubErrorCode.ArgumentNull, """The request body has no query: send {"query":"SELECT * FROM devices"}.""");
        if (node.GetValueKind() != JsonValueKind.String)
            throw HubException.Invalid("The request body's 'query' must be a string.");
        return node.GetValue<string>();
    }

    private static string? SingleHeader(HttpRequest request, string name)
    {
        var values = request.Headers[name];
        if (values.Count > 1) throw HubException.Invalid($"The header {name} was given {values.Count} times; give it once.");
        return values.Count == 0 ? null : values[0];
    }

    // Rows are written one by one rather than put in a JsonArray: a whole twin is a node over the twin's shared
    // compact document, written out from its text without being read into nodes.
    private sealed class PageResult(QueryPage page) : IResult
    {
        private static readonly JsonWriterOptions WriterOptions = new() { Encoder = HubJson.WriteOptions.Encoder };

        public async Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ErrorResponseFactory.JsonContentType;
            response.Headers[ItemTypeHeader] = page.ItemType;
            if (page.ContinuationToken is not null) response.Headers[ContinuationHeader] = page.ContinuationToken;
            using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
            {
                writer.WriteStartArray();
                foreach (var item in page.Items) item.WriteTo(writer);
                writer.WriteEndArray();
            }
            await response.BodyWriter.FlushAsync(context.RequestAborted);
        }
    }
}
