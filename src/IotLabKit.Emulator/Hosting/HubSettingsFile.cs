using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Security;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Hosting;

/// <summary>
/// <c>&lt;data-dir&gt;/settings.json</c>: the hub's shared access policy keys, generated on first start and kept so
/// connection strings stay valid across restarts (and across <c>--in-memory</c> runs).
/// Shape: <c>{"policies":{"iothubowner":{"primaryKey":"…","secondaryKey":"…"},…}}</c>.
/// </summary>
public static class HubSettingsFile
{
    /// <summary>The file name inside the data directory.</summary>
    public const string FileName = "settings.json";

    /// <summary>Loads the policies, generating keys for any built-in policy the file lacks (and saving them).</summary>
    public static SharedAccessPolicies LoadOrCreate(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, FileName);
        JsonObject root;
        if (File.Exists(path))
        {
            try { root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not an object"); }
            catch (JsonException ex) { throw new SettingsException($"'{path}' is not valid JSON ({ex.Message}); fix or delete it (deleting it generates new keys)."); }
        }
        else root = new JsonObject();

        if (root["policies"] is not JsonObject stored) { stored = new JsonObject(); root["policies"] = stored; }
        var changed = false;
        var policies = new List<SharedAccessPolicy>();
        foreach (var (name, rights) in BuiltInPolicies.All)
        {
            var entry = stored[name] as JsonObject;
            var primary = Key(entry, "primaryKey");
            var secondary = Key(entry, "secondaryKey");
            if (primary is null || secondary is null)
            {
                primary ??= DeviceValidator.NewKey();
                secondary ??= DeviceValidator.NewKey();
                stored[name] = new JsonObject { ["primaryKey"] = primary, ["secondaryKey"] = secondary };
                changed = true;
            }
            policies.Add(new SharedAccessPolicy(name, rights, primary, secondary));
        }
        if (changed) WriteAtomically(path, root.ToJsonString(new JsonSerializerOptions(HubJson.WriteOptions) { WriteIndented = true }));
        return new SharedAccessPolicies(policies);
    }

    private static string? Key(JsonObject? entry, string name)
    {
        if (entry?[name] is not JsonValue v || !v.TryGetValue<string>(out var key) || string.IsNullOrEmpty(key)) return null;
        try { return Convert.FromBase64String(key).Length > 0 ? key : null; }
        catch (FormatException) { return null; }
    }

    private static void WriteAtomically(string path, string text)
    {
        var temp = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, text);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
