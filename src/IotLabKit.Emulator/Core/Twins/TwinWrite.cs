using System.Text.Json.Nodes;

namespace IotLabKit.Emulator.Core.Twins;

/// <summary>
/// The parts of a service twin write (PATCH or PUT body) the hub acts on. SDKs send whole twins back, so
/// everything else is ignored: <c>deviceId</c>, <c>etag</c>, <c>version</c>, identity copies,
/// <c>properties.reported</c>, and <c>$</c>-prefixed members (<c>$metadata</c>, <c>$version</c>) at the top of
/// <c>properties.desired</c>.
/// </summary>
/// <param name="Tags">The tags to merge or replace; null when the body has none.</param>
/// <param name="Desired">The desired properties to merge or replace; null when the body has none.</param>
public sealed record TwinWrite(JsonObject? Tags, JsonObject? Desired)
{
    /// <summary>Reads a body; throws <c>ArgumentInvalid</c> when a member the hub acts on has the wrong shape.</summary>
    public static TwinWrite Parse(JsonObject body)
    {
        var tags = OptionalObject(body, "tags", "tags");
        JsonObject? desired = null;
        if (OptionalObject(body, "properties", "properties") is { } properties
            && OptionalObject(properties, "desired", "properties.desired") is { } rawDesired)
        {
            desired = new JsonObject();
            foreach (var (key, value) in rawDesired)
            {
                if (key.StartsWith('$')) continue;
                desired[key] = value?.DeepClone();
            }
        }
        return new TwinWrite(tags is null ? null : (JsonObject)tags.DeepClone(), desired);
    }

    private static JsonObject? OptionalObject(JsonObject parent, string name, string path)
    {
        if (!parent.TryGetPropertyValue(name, out var node) || node is null) return null;
        return node as JsonObject ?? throw HubException.Invalid($"The twin member '{path}' must be an object.");
    }
}
