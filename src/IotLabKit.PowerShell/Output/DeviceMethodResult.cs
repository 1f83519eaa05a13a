using System.Management.Automation;
using System.Text.Json;

namespace IotLabKit.PowerShell.Output;

/// <summary>
/// What a device answered to a direct method (PSTypeName <c>IotLabKit.DeviceMethodResult</c>): its own status — 200,
/// or 400, 404, 500, 501 … as the device chose — and its payload as PowerShell objects.
/// </summary>
public sealed class DeviceMethodResult
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.DeviceMethodResult";

    /// <summary>The device that answered.</summary>
    public string DeviceId { get; init; } = "";

    /// <summary>The method that was invoked.</summary>
    public string MethodName { get; init; } = "";

    /// <summary>The status the device answered with.</summary>
    public int Status { get; init; }

    /// <summary>The payload: a PSCustomObject for a JSON object, an array, a scalar, or null when the device sent none.</summary>
    public object? Payload { get; init; }

    /// <summary>The payload as the JSON text the device sent, or null.</summary>
    public string? PayloadJson { get; init; }

    /// <summary>How long the call took, from the request to the answer.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Wraps a result for output.</summary>
    internal static PSObject From(string deviceId, string methodName, int status, string? payloadJson, TimeSpan duration)
    {
        object? payload = null;
        if (payloadJson is not null)
        {
            using var document = JsonDocument.Parse(payloadJson);
            payload = PSJson.ToPSValue(document.RootElement);
        }
        var ps = PSObject.AsPSObject(new DeviceMethodResult
        {
            DeviceId = deviceId,
            MethodName = methodName,
            Status = status,
            Payload = payload,
            PayloadJson = payloadJson,
            Duration = duration,
        });
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    /// <inheritdoc />
    public override string ToString() => $"{DeviceId} {MethodName} {Status}";
}
