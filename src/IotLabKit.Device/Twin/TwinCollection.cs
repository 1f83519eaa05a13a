using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Dynamic;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IotLabKit.Device;

/// <summary>
/// A section of a twin (desired or reported properties, or a nested object in one), shaped like Microsoft's
/// <c>TwinCollection</c>: <c>collection["name"]</c> reads and writes properties, <see cref="Contains"/> tests for one,
/// <see cref="Version"/> is <c>$version</c>, <see cref="ToJson"/> writes it out. Reads return <c>dynamic</c> values that
/// convert the way lab code expects (<c>double t = desired["temperature"];</c> works when the value is the string "50").
/// </summary>
public sealed class TwinCollection : DynamicObject, IEnumerable<KeyValuePair<string, object?>>
{
    private const string VersionName = "$version";
    private const string MetadataName = "$metadata";

    /// <summary>An empty collection.</summary>
    public TwinCollection() : this(new JsonObject()) { }

    /// <summary>A collection parsed from a JSON object.</summary>
    /// <exception cref="ArgumentException">The text is not a JSON object.</exception>
    public TwinCollection(string json) : this(ParseObject(json)) { }

    internal TwinCollection(JsonObject json) => Json = json;

    /// <summary>The JSON behind the collection; nested collections returned by the indexer share it.</summary>
    internal JsonObject Json { get; }

    /// <summary>The section's <c>$version</c>, or 0 when it has none.</summary>
    public long Version =>
        Json.TryGetPropertyValue(VersionName, out var v) && v is JsonValue value && value.GetValueKind() == JsonValueKind.Number
        && long.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>The number of properties, not counting <c>$version</c> and <c>$metadata</c>.</summary>
    public int Count => Json.Count(p => !IsReserved(p.Key));

    /// <summary>
    /// Gets or sets a property. Reading a missing property throws, as in Microsoft's SDK: test with
    /// <see cref="Contains"/> first. Objects come back as <see cref="TwinCollection"/>, other values as
    /// <see cref="TwinValue"/>, JSON <c>null</c> as <c>null</c>. Setting <c>null</c> writes JSON <c>null</c>, which in a
    /// reported patch deletes the property.
    /// </summary>
    /// <remarks>Typed <c>dynamic</c> rather than <c>dynamic?</c> so that <c>string s = desired["x"];</c> compiles without
    /// nullable warnings in lab code, as it does with Microsoft's SDK; a JSON <c>null</c> still reads as <c>null</c>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">Reading a property that does not exist.</exception>
    [AllowNull]
    public dynamic this[string propertyName]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(propertyName);
            if (!Json.TryGetPropertyValue(propertyName, out var node))
                throw new ArgumentOutOfRangeException(nameof(propertyName), $"The twin collection has no property '{propertyName}'. Use Contains(\"{propertyName}\") to test for it.");
            return Wrap(node)!;
        }
        set
        {
            ArgumentNullException.ThrowIfNull(propertyName);
            Json[propertyName] = ToNode(value);
        }
    }

    /// <summary>True when the collection has a property of that name.</summary>
    public bool Contains(string propertyName) => Json.ContainsKey(propertyName);

    /// <summary>The collection as JSON (with <c>$version</c> when it has one).</summary>
    public string ToJson(bool indented = false) => Json.ToJsonString(indented ? IndentedOptions : PlainOptions);

    /// <inheritdoc cref="ToJson"/>
    public override string ToString() => ToJson();

    /// <summary>The properties in order (not <c>$version</c> or <c>$metadata</c>), values as the indexer returns them.</summary>
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        foreach (var (key, node) in Json.ToList())
            if (!IsReserved(key)) yield return new(key, Wrap(node));
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override bool TryGetMember(GetMemberBinder binder, out object? result)
    {
        if (Json.TryGetPropertyValue(binder.Name, out var node)) { result = Wrap(node); return true; }
        result = null;
        return false;
    }

    /// <inheritdoc/>
    public override bool TrySetMember(SetMemberBinder binder, object? value)
    {
        Json[binder.Name] = ToNode(value);
        return true;
    }

    /// <inheritdoc/>
    public override IEnumerable<string> GetDynamicMemberNames() => Json.Select(p => p.Key);

    /// <summary>A deep copy of the JSON without <c>$version</c> and <c>$metadata</c>, ready to send as a patch.</summary>
    internal JsonObject ToPatch()
    {
        var copy = (JsonObject)Json.DeepClone();
        copy.Remove(VersionName);
        copy.Remove(MetadataName);
        return copy;
    }

    internal static object? Wrap(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => new TwinCollection(obj),
        _ => new TwinValue(node),
    };

    /// <summary>Turns a value written by the application into JSON.</summary>
    internal static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        TwinCollection tc => tc.Json.DeepClone(),
        TwinValue tv => tv.Node.DeepClone(),
        JsonNode node => node.DeepClone(),
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => NumberAsNewtonsoftWritesIt(d.ToString("R", CultureInfo.InvariantCulture), double.IsFinite(d)) ?? JsonValue.Create(d),
        float f => NumberAsNewtonsoftWritesIt(f.ToString("R", CultureInfo.InvariantCulture), float.IsFinite(f)) ?? JsonValue.Create(f),
        decimal m => JsonValue.Create(m),
        DateTime dt => JsonValue.Create(dt),
        DateTimeOffset dto => JsonValue.Create(dto),
        Enum e => JsonValue.Create(e.ToString()),
        _ => JsonSerializer.SerializeToNode(value, value.GetType()),
    };

    // Microsoft's SDK writes doubles with Newtonsoft, which keeps a decimal point (85.0, not 85): lab code prints
    // reportedProperties.ToJson() and the course's output shows "humidity":85.0, and that is also what goes on the wire.
    private static JsonNode? NumberAsNewtonsoftWritesIt(string roundTrip, bool finite)
    {
        if (!finite) return null;
        var text = roundTrip.IndexOfAny(['.', 'E', 'e']) < 0 ? roundTrip + ".0" : roundTrip;
        return JsonNode.Parse(text);
    }

    private static bool IsReserved(string key) => key is VersionName or MetadataName;

    private static JsonObject ParseObject(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException ex) { throw new ArgumentException($"The text is not valid JSON: {ex.Message}", nameof(json), ex); }
        return node as JsonObject ?? throw new ArgumentException("A twin collection must be a JSON object ({…}).", nameof(json));
    }

    private static readonly JsonSerializerOptions PlainOptions = new();
    private static readonly JsonSerializerOptions IndentedOptions = new() { WriteIndented = true };
}
