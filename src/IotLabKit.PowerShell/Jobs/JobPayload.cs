using IotLabKit.PowerShell.Methods;

namespace IotLabKit.PowerShell.Jobs;

/// <summary>
/// A method job's -Payload as JSON, by the same rules as Invoke-DeviceMethod's (<see cref="MethodPayload"/>): a
/// hashtable or PSCustomObject is an object (keys as written), JSON text is used as it is ('{"a":1}', '42', 'true'),
/// any other string is a JSON string, numbers and booleans stay themselves, lists become arrays, $null is null.
/// </summary>
internal static class JobPayload
{
    /// <summary>The payload as JSON text.</summary>
    /// <exception cref="ArgumentException">The value cannot be written as JSON (nested too deeply).</exception>
    public static string ToJson(object? input) => MethodPayload.ToJson(input) ?? "null";
}
