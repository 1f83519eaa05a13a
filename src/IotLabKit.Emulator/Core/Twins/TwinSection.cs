using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Query;

namespace IotLabKit.Emulator.Core.Twins;

/// <summary>
/// One property section of a twin (desired or reported): its values, their metadata, its version. Kept as compact,
/// immutable UTF-8 text in the very shape the service shows it (values, then <c>$metadata</c> and <c>$version</c>),
/// so a stored twin's sections are slices of its record's service document and cost no second copy; any thread
/// may read them.
/// </summary>
public sealed record TwinSection
{
    private const string MetadataName = "$metadata";
    private const string VersionName = "$version";

    // The section as the service shows it: {...values, "$metadata": {...}, "$version": n}.
    private readonly JsonElement _section;

    /// <summary>A section holding (a compact copy of) these values and metadata.</summary>
    /// <param name="values">The properties, without <c>$metadata</c>/<c>$version</c>.</param>
    /// <param name="metadata">The <c>$metadata</c> tree mirroring <paramref name="values"/>.</param>
    /// <param name="version">The section's <c>$version</c>.</param>
    public TwinSection(JsonObject values, JsonObject metadata, long version)
    {
        _section = CompactJson.Write(writer =>
        {
            writer.WriteStartObject();
            foreach (var (key, value) in values)
            {
                writer.WritePropertyName(key);
                if (value is null) writer.WriteNullValue();
                else value.WriteTo(writer);
            }
            writer.WritePropertyName(MetadataName);
            metadata.WriteTo(writer);
            writer.WriteNumber(VersionName, version);
            writer.WriteEndObject();
        });
        Version = version;
    }

    private TwinSection(JsonElement section, long version)
    {
        _section = section;
        Version = version;
    }

    /// <summary>The section over a service-shaped section already in compact text (a slice of a service document).</summary>
    internal static TwinSection Over(JsonElement serviceSection)
        => new(serviceSection, serviceSection.GetProperty(VersionName).GetInt64());

    /// <summary>The properties, without <c>$metadata</c>/<c>$version</c>: a new node on every read, free to change (the section stays as it is).</summary>
    public JsonObject Values
    {
        get
        {
            var values = new JsonObject();
            foreach (var property in _section.EnumerateObject())
            {
                if (property.NameEquals(MetadataName) || property.NameEquals(VersionName)) continue;
                values.Add(property.Name, Node(property.Value));
            }
            return values;
        }
    }

    /// <summary>The <c>$metadata</c> tree mirroring <see cref="Values"/>: a new node on every read, free to change.</summary>
    public JsonObject Metadata => JsonObject.Create(_section.GetProperty(MetadataName))!;

    /// <summary>The section's <c>$version</c>.</summary>
    public long Version { get; }

    /// <summary>A new section as a freshly created twin has it.</summary>
    public static TwinSection Fresh(string createdAt)
        => new(new JsonObject(), new JsonObject { [TwinMerge.LastUpdated] = createdAt }, 1);

    /// <summary>The section as the service sees it: values, then <c>$metadata</c> and <c>$version</c>.</summary>
    public JsonObject ToServiceJson() => JsonObject.Create(_section)!;

    /// <summary>The section as a device reads it over MQTT: values and <c>$version</c>, no metadata.</summary>
    public JsonObject ToDeviceJson()
    {
        var json = Values;
        json[VersionName] = Version;
        return json;
    }

    /// <summary>Writes the section as the service sees it (the shape of <see cref="ToServiceJson"/>): its own text.</summary>
    internal void WriteServiceJson(Utf8JsonWriter writer) => _section.WriteTo(writer);

    private static JsonNode? Node(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.Object => JsonObject.Create(value),
        JsonValueKind.Array => JsonArray.Create(value),
        _ => JsonValue.Create(value),
    };
}
