using System.Text.Json;
using IotLabKit.Protocol;

namespace IotLabKit.Service.Exceptions;

/// <summary>
/// Reads IoT Hub's error answers. The hub uses three body shapes (reference §2.5):
/// <c>{"Message":"ErrorCode:Name;text","ExceptionMessage":"Tracking ID:…"}</c>, the same with <c>Message</c> holding
/// a JSON object <c>{"errorCode":404103,"message":…,"trackingId":…}</c>, and that object bare. The
/// <c>iothub-errorcode</c> header names the error as well; it wins when both are present because it is what the hub
/// sets on every error, while bodies vary by path.
/// </summary>
internal static class IotHubErrorParser
{
    private const string ErrorCodePrefix = "ErrorCode:";
    private const string TrackingIdPrefix = "Tracking ID:";
    private const string TimeStampMarker = "-TimeStamp:";

    public static IotHubErrorDetails Parse(int statusCode, string? reasonPhrase, string? headerErrorCode, string? body)
    {
        body ??= "";
        var fromBody = ReadBody(body);

        string? name = string.IsNullOrWhiteSpace(headerErrorCode) ? fromBody.Name : headerErrorCode.Trim();
        IotHubErrorCode? code = null;
        if (IotHubErrorCodes.TryParse(name, out var parsed)) code = parsed;
        else if (fromBody.Number is { } n && Enum.IsDefined((IotHubErrorCode)n)) code = (IotHubErrorCode)n;
        else if (IotHubErrorCodes.TryParse(fromBody.Name, out parsed)) code = parsed;
        name ??= code?.ToString() ?? fromBody.Number?.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var message = fromBody.Text;
        if (string.IsNullOrWhiteSpace(message))
        {
            var reason = string.IsNullOrWhiteSpace(reasonPhrase) ? "" : " " + reasonPhrase;
            message = $"IoT Hub answered HTTP {statusCode}{reason}{(name is null ? "" : $" ({name})")} with no message.";
        }

        return new IotHubErrorDetails
        {
            StatusCode = statusCode,
            ErrorCode = code,
            ErrorName = name,
            Message = message,
            TrackingId = fromBody.TrackingId,
            Body = body,
        };
    }

    private readonly record struct BodyFacts(string? Name, int? Number, string? Text, string? TrackingId);

    private static BodyFacts ReadBody(string body)
    {
        var trimmed = body.Trim();
        if (trimmed.Length == 0) return default;
        if (trimmed[0] != '{') return new BodyFacts(null, null, trimmed, null);
        try
        {
            using var doc = JsonDocument.Parse(trimmed);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? ReadEnvelope(doc.RootElement, depth: 0)
                : new BodyFacts(null, null, trimmed, null);
        }
        catch (JsonException)
        {
            return new BodyFacts(null, null, trimmed, null);
        }
    }

    private static BodyFacts ReadEnvelope(JsonElement obj, int depth)
    {
        if (TryGet(obj, "errorCode", out var errorCode))
        {
            int? number = null;
            string? name = null;
            if (errorCode.ValueKind == JsonValueKind.Number && errorCode.TryGetInt32(out var n)) number = n;
            else if (errorCode.ValueKind == JsonValueKind.String)
            {
                var s = errorCode.GetString();
                if (int.TryParse(s, out n)) number = n; else name = s;
            }
            return new BodyFacts(name, number, GetString(obj, "message") ?? GetString(obj, "Message"), GetString(obj, "trackingId"));
        }

        var message = GetString(obj, "Message") ?? GetString(obj, "message");
        var tracking = ReadTrackingId(GetString(obj, "ExceptionMessage"));
        if (message is null) return new BodyFacts(null, null, null, tracking);

        var m = message.Trim();
        if (depth == 0 && m.StartsWith('{'))
        {
            try
            {
                using var inner = JsonDocument.Parse(m);
                if (inner.RootElement.ValueKind == JsonValueKind.Object)
                {
                    var nested = ReadEnvelope(inner.RootElement, depth + 1);
                    return nested with { TrackingId = nested.TrackingId ?? tracking };
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: keep it as text below.
            }
        }
        if (m.StartsWith(ErrorCodePrefix, StringComparison.OrdinalIgnoreCase))
        {
            var semi = m.IndexOf(';');
            var name = (semi < 0 ? m[ErrorCodePrefix.Length..] : m[ErrorCodePrefix.Length..semi]).Trim();
            var text = semi < 0 ? "" : m[(semi + 1)..].Trim();
            return new BodyFacts(name.Length == 0 ? null : name, null, text.Length == 0 ? m : text, tracking);
        }
        return new BodyFacts(null, null, m, tracking);
    }

    /// <summary>Takes <c>&lt;id&gt;-G:&lt;n&gt;</c> out of <c>Tracking ID:&lt;id&gt;-G:&lt;n&gt;-TimeStamp:…</c>.</summary>
    internal static string? ReadTrackingId(string? exceptionMessage)
    {
        if (string.IsNullOrWhiteSpace(exceptionMessage)) return null;
        var start = exceptionMessage.IndexOf(TrackingIdPrefix, StringComparison.OrdinalIgnoreCase);
        if (start < 0) return null;
        var rest = exceptionMessage[(start + TrackingIdPrefix.Length)..];
        var end = rest.IndexOf(TimeStampMarker, StringComparison.Ordinal);
        var id = (end < 0 ? rest : rest[..end]).Trim();
        return id.Length == 0 ? null : id;
    }

    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null) return true;
        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind != JsonValueKind.Null)
            {
                value = p.Value;
                return true;
            }
        }
        return false;
    }

    private static string? GetString(JsonElement obj, string name)
        => obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
