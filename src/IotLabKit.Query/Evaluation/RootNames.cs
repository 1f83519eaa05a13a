namespace IotLabKit.Query.Evaluation;

/// <summary>
/// The top-level property names of twin and device-job documents. A path's first segment that matches one of
/// them in any case gets this spelling (IoT Hub resolves <c>SELECT DeviceId</c> to <c>deviceId</c>); every other
/// segment is case-sensitive, like JSON.
/// </summary>
internal static class RootNames
{
    private static readonly Dictionary<string, string> Canonical = new(StringComparer.OrdinalIgnoreCase);

    static RootNames()
    {
        string[] names =
        [
            // Twins and module twins.
            "deviceId", "moduleId", "etag", "deviceEtag", "status", "statusReason", "statusUpdateTime",
            "connectionState", "lastActivityTime", "cloudToDeviceMessageCount", "authenticationType",
            "x509Thumbprint", "modelId", "version", "tags", "properties", "capabilities", "configurations",
            "deviceScope", "parentScopes",

            // Per-device job results (devices.jobs).
            "jobId", "jobType", "startTimeUtc", "endTimeUtc", "createdDateTimeUtc", "lastUpdatedDateTimeUtc",
            "createdTimeUtc", "outcome", "error",
        ];
        foreach (var name in names)
        {
            Canonical.Add(name, name);
        }
    }

    /// <summary>The canonical spelling of a root identity name, or the name unchanged when it is not one.</summary>
    public static string Canonicalize(string name) => Canonical.GetValueOrDefault(name, name);
}
