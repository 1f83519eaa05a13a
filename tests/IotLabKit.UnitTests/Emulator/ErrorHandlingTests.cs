using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Errors;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace IotLabKit.UnitTests.Emulator;

public class ErrorHandlingTests
{
    private static async Task<(HttpContext Context, JsonObject Body)> RunAsync(RequestDelegate next)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/devices/x";
        context.Response.Body = new MemoryStream();
        await new ErrorHandlingMiddleware(next, NullLogger<ErrorHandlingMiddleware>.Instance).InvokeAsync(context);
        context.Response.Body.Position = 0;
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.DoesNotContain(" at ", text);
        return (context, JsonNode.Parse(text)!.AsObject());
    }

    [Fact]
    public async Task An_unexpected_exception_is_a_500_ServerError_envelope_without_details()
    {
        var (context, body) = await RunAsync(_ => throw new InvalidOperationException("secret internals"));
        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("ServerError", context.Response.Headers["iothub-errorcode"]);
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        Assert.StartsWith("ErrorCode:ServerError;", (string)body["Message"]!);
        Assert.DoesNotContain("secret internals", body.ToJsonString());
    }

    [Fact]
    public async Task A_hub_exception_keeps_its_code_status_and_message_and_the_request_id_header()
    {
        var (context, body) = await RunAsync(_ => throw new HubException(IotHubErrorCode.PreconditionFailed, "stale"));
        Assert.Equal(412, context.Response.StatusCode);
        Assert.Equal("PreconditionFailed", context.Response.Headers["iothub-errorcode"]);
        Assert.Equal("ErrorCode:PreconditionFailed;stale", (string)body["Message"]!);
        var requestId = Guid.Parse(context.Response.Headers["x-ms-request-id"]!);
        Assert.StartsWith($"Tracking ID:{requestId:N}-G:0-TimeStamp:", (string)body["ExceptionMessage"]!);
    }

    [Fact]
    public async Task An_unrouted_request_becomes_a_404_envelope()
    {
        var (context, body) = await RunAsync(ctx => { ctx.Response.StatusCode = 404; return Task.CompletedTask; });
        Assert.Equal(404, context.Response.StatusCode);
        Assert.StartsWith("ErrorCode:GenericNotFound;", (string)body["Message"]!);
    }
}
