namespace IotLabKit.Labs.Scripting;

/// <summary>Fills the placeholders lab.json may put in a script's args.</summary>
public static class LabScriptArguments
{
    /// <summary>The placeholder names (written <c>{name}</c> in lab.json).</summary>
    public static readonly IReadOnlySet<string> Placeholders = new HashSet<string>(StringComparer.Ordinal)
    {
        "deviceConnectionString", "serviceConnectionString", "eventHubConnectionString", "deviceId",
    };

    /// <summary>Replaces every placeholder in <paramref name="args"/> with the script's values.</summary>
    public static string[] Expand(IEnumerable<string> args, LabHubContext hub, string deviceId)
    {
        hub.DeviceConnectionStrings.TryGetValue(deviceId, out var device);
        return args.Select(a => a
            .Replace("{deviceConnectionString}", device ?? "", StringComparison.Ordinal)
            .Replace("{serviceConnectionString}", hub.ServiceConnectionString, StringComparison.Ordinal)
            .Replace("{eventHubConnectionString}", hub.EventHubConnectionString, StringComparison.Ordinal)
            .Replace("{deviceId}", deviceId, StringComparison.Ordinal)).ToArray();
    }
}
