using System.Text.Json.Nodes;

namespace IotLabKit.Emulator.Core.Twins;

/// <summary>One property section of a twin (desired or reported): its values, their metadata, its version.</summary>
/// <param name="Values">The properties, without <c>$metadata</c>/<c>$version</c>.</param>
/// <param name="Metadata">The <c>$metadata</c> tree mirroring <paramref name="Values"/>.</param>
/// <param name="Version">The section's <c>$version</c>.</param>
public sealed record TwinSection(JsonObject Values, JsonObject Metadata, long Version)
{
    /// <summary>A new section as a freshly created twin has it.</summary>
    public static TwinSection Fresh(string createdAt)
        => new(new JsonObject(), new JsonObject { [TwinMerge.LastUpdated] = createdAt }, 1);

    /// <summary>A deep copy the caller may change.</summary>
    public TwinSection DeepCopy() => new((JsonObject)Values.DeepClone(), (JsonObject)Metadata.DeepClone(), Version);

    /// <summary>The section as the service sees it: values, then <c>$metadata</c> and <c>$version</c>.</summary>
    public JsonObject ToServiceJson()
    {
        var json = (JsonObject)Values.DeepClone();
        json["$metadata"] = Metadata.DeepClone();
        json["$version"] = Version;
        return json;
    }

    /// <summary>The section as a device reads it over MQTT: values and <c>$version</c>, no metadata.</summary>
    public JsonObject ToDeviceJson()
    {
        var json = (JsonObject)Values.DeepClone();
        json["$version"] = Version;
        return json;
    }
}
