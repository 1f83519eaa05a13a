using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;

namespace IotLabKit.Emulator.Storage;

/// <summary>The stored form of a telemetry event's properties: <c>{"sys":{…},"app":[[key,value],…]}</c> (order kept).</summary>
public static class TelemetryEventSerializer
{
    /// <summary>Writes the properties.</summary>
    public static string WriteProperties(IReadOnlyDictionary<string, string> system, IReadOnlyList<KeyValuePair<string, string?>> application)
    {
        var sys = new JsonObject();
        foreach (var (k, v) in system) sys[k] = v;
        var app = new JsonArray();
        foreach (var (k, v) in application) app.Add(new JsonArray(k, v));
        return HubJson.Write(new JsonObject { ["sys"] = sys, ["app"] = app });
    }

    /// <summary>Reads what <see cref="WriteProperties"/> wrote.</summary>
    public static (Dictionary<string, string> System, List<KeyValuePair<string, string?>> Application) ReadProperties(string json)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var system = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in root["sys"]!.AsObject()) system[k] = (string)v!;
        var application = new List<KeyValuePair<string, string?>>();
        foreach (var pair in root["app"]!.AsArray()) application.Add(new((string)pair![0]!, (string?)pair[1]));
        return (system, application);
    }
}
