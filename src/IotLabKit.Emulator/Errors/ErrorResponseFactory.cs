using System.Globalization;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Protocol;
using Microsoft.AspNetCore.Http;

namespace IotLabKit.Emulator.Errors;

/// <summary>
/// The one place that puts an error on the wire the way IoT Hub does: the HTTP status from the code, the
/// <c>iothub-errorcode</c> header with the code's name, and the body
/// <c>{"Message":"ErrorCode:&lt;Name&gt;;&lt;text&gt;","ExceptionMessage":"Tracking ID:&lt;32 hex&gt;-G:0-TimeStamp:&lt;MM/dd/yyyy HH:mm:ss&gt;"}</c>
/// (the shape both the C# and Node SDKs parse).
/// </summary>
public static class ErrorResponseFactory
{
    /// <summary>The header that names the error code.</summary>
    public const string ErrorCodeHeader = "iothub-errorcode";

    /// <summary>The content type of every JSON response.</summary>
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>Builds the error body.</summary>
    public static JsonObject Envelope(IotHubErrorCode code, string message, string trackingId, DateTimeOffset time) => new()
    {
        ["Message"] = $"ErrorCode:{code};{message}",
        ["ExceptionMessage"] = $"Tracking ID:{trackingId}-G:0-TimeStamp:{time.UtcDateTime.ToString("MM/dd/yyyy HH:mm:ss", CultureInfo.InvariantCulture)}",
    };

    /// <summary>
    /// The body of IoT Hub's newer error paths (direct methods): the envelope with <c>Message</c> holding a JSON
    /// object as text, <c>{"errorCode":404103,"trackingId":…,"message":…,"info":null,"timestampUtc":…}</c>. The inner
    /// object has no nested objects, because Microsoft's C# SDK reads it as a string-to-string dictionary.
    /// </summary>
    public static JsonObject NestedEnvelope(IotHubErrorCode code, string message, string trackingId, DateTimeOffset time) => new()
    {
        ["Message"] = HubJson.Write(DeviceErrorBody(code, message, trackingId, time)),
        ["ExceptionMessage"] = "",
    };

    /// <summary>
    /// An error as a device reads it in an MQTT twin answer: <c>{"errorCode":400004,"trackingId":…,"message":…,
    /// "info":null,"timestampUtc":…}</c> (Node's SDK fails a request only when the body carries <c>errorCode</c>).
    /// </summary>
    public static JsonObject DeviceErrorBody(IotHubErrorCode code, string message, string trackingId, DateTimeOffset time) => new()
    {
        ["errorCode"] = (int)code,
        ["trackingId"] = trackingId,
        ["message"] = message,
        ["info"] = null,
        ["timestampUtc"] = WireTime.Format(time),
    };

    /// <summary>Writes an error response in the nested shape of <see cref="NestedEnvelope"/> (direct methods).</summary>
    public static Task WriteNestedAsync(HttpContext context, IotHubErrorCode code, string message)
        => WriteAsync(context, code, message, nested: true);

    /// <summary>Writes an error response (the response must not have started).</summary>
    public static Task WriteAsync(HttpContext context, IotHubErrorCode code, string message)
        => WriteAsync(context, code, message, nested: false);

    private static async Task WriteAsync(HttpContext context, IotHubErrorCode code, string message, bool nested)
    {
        var response = context.Response;
        var clock = context.RequestServices?.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        response.Clear();
        response.Headers[RequestIdHeader] = RequestId(context);
        response.StatusCode = code.HttpStatus();
        response.Headers[ErrorCodeHeader] = code.ToString();
        response.ContentType = JsonContentType;
        var body = nested
            ? NestedEnvelope(code, message, TrackingId(context), clock.GetUtcNow())
            : Envelope(code, message, TrackingId(context), clock.GetUtcNow());
        await response.WriteAsync(HubJson.Write(body), context.RequestAborted);
    }

    /// <summary>The header that identifies the request on every response.</summary>
    public const string RequestIdHeader = "x-ms-request-id";

    /// <summary>The request's id as <c>x-ms-request-id</c> carries it (a GUID; the tracking id is the same GUID in hex).</summary>
    public static string RequestId(HttpContext context) => Guid.ParseExact(TrackingId(context), "N").ToString();

    /// <summary>The request's tracking id: 32 hex digits, the same value as its <c>x-ms-request-id</c>.</summary>
    public static string TrackingId(HttpContext context)
    {
        if (context.Items[TrackingIdKey] is string id) return id;
        id = Guid.NewGuid().ToString("N");
        context.Items[TrackingIdKey] = id;
        return id;
    }

    private const string TrackingIdKey = "iotlabkit.tracking-id";
}
