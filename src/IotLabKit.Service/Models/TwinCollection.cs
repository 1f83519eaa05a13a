using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>
/// A set of twin properties or tags: a JSON object with IoT Hub's bookkeeping (<c>$version</c>, <c>$metadata</c>)
/// kept beside the values. Reading a nested object gives a live view of it (writes go into this collection); values
/// come back as <see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, nested
/// <see cref="TwinCollection"/> or <c>object?[]</c>. Setting a property to null deletes it when sent as a patch.
/// It is a dictionary so PowerShell shows it as one (<c>$desired.telemetryDelay</c>, <c>ConvertTo-Json</c>);
/// <c>$version</c> and <c>$metadata</c> are not among its keys.
/// </summary>
[JsonConverter(typeof(TwinCollectionJsonConverter))]
public sealed class TwinCollection : IDictionary<string, object?>, IDictionary
{
    internal const string MetadataName = "$metadata";
    internal const string VersionName = "$version";
    internal const string LastUpdatedName = "$lastUpdated";
    internal const string LastUpdatedVersionName = "$lastUpdatedVersion";

    private readonly JsonObject _data;
    private readonly bool _isView;
    private readonly JsonObject? _viewMetadata;

    /// <summary>Creates an empty collection.</summary>
    public TwinCollection()
        : this(new JsonObject())
    {
    }

    /// <summary>Creates a collection from JSON object text (it may carry <c>$metadata</c> and <c>$version</c>).</summary>
    /// <exception cref="ArgumentException">The text is not a JSON object.</exception>
    public TwinCollection(string json)
        : this(ParseObject(json))
    {
    }

    /// <summary>Wraps a JSON object; the collection reads and writes that object.</summary>
    public TwinCollection(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        _data = json;
    }

    private TwinCollection(JsonObject data, JsonObject? metadata)
    {
        _data = data;
        _isView = true;
        _viewMetadata = metadata;
    }

    /// <summary>
    /// Gets or sets a property. Getting a missing property gives null (use <see cref="Contains"/> to tell it from
    /// a null value). Values may be primitives, <see cref="TwinCollection"/>, <see cref="JsonNode"/>, dictionaries
    /// or any object System.Text.Json can serialize.
    /// </summary>
    public object? this[string propertyName]
    {
        get => _data.TryGetPropertyValue(propertyName, out var node) ? FromNode(node, MetadataOf(propertyName)) : null;
        set => _data[propertyName] = ToNode(value);
    }

    /// <summary>The collection's <c>$version</c> (0 when it has none, as in a patch you build yourself).</summary>
    public long Version => ReadLong(_data[VersionName]) ?? 0;

    /// <summary>The number of properties (not counting <c>$version</c> and <c>$metadata</c>).</summary>
    public int Count => Keys.Count;

    /// <summary>The property names (not <c>$version</c> and <c>$metadata</c>).</summary>
    public ICollection<string> Keys => _data.Select(p => p.Key).Where(k => !IsReserved(k)).ToList();

    /// <summary>The property values, in the same order as <see cref="Keys"/>.</summary>
    public ICollection<object?> Values => this.Select(p => p.Value).ToList();

    /// <summary>True when the collection has the property (even if its value is null).</summary>
    public bool Contains(string propertyName) => _data.ContainsKey(propertyName);

    /// <summary>Reads a property as <typeparamref name="T"/> (for example int, DateTime, or a class of your own).</summary>
    /// <exception cref="KeyNotFoundException">There is no such property.</exception>
    /// <exception cref="JsonException">The value does not convert to <typeparamref name="T"/>.</exception>
    public T? GetValue<T>(string propertyName)
        => _data.TryGetPropertyValue(propertyName, out var node)
            ? node.Deserialize<T>(ServiceJson.Options)
            : throw new KeyNotFoundException($"The twin collection has no property '{propertyName}'.");

    /// <summary>Reads a property as <typeparamref name="T"/>; false when it is missing or does not convert.</summary>
    public bool TryGetValue<T>(string propertyName, out T? value)
    {
        value = default;
        if (!_data.TryGetPropertyValue(propertyName, out var node)) return false;
        try
        {
            value = node.Deserialize<T>(ServiceJson.Options);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    /// <summary>When this collection (or object) was last updated, from <c>$metadata</c>.</summary>
    public DateTime? GetLastUpdated() => ReadTime(Metadata?[LastUpdatedName]);

    /// <summary>The desired <c>$version</c> of the last update of this collection, from <c>$metadata</c>.</summary>
    public long? GetLastUpdatedVersion() => ReadLong(Metadata?[LastUpdatedVersionName]);

    /// <summary>The metadata of this collection (or nested object).</summary>
    public Metadata GetMetadata() => new(GetLastUpdated(), GetLastUpdatedVersion());

    /// <summary>The metadata of one property (leaf or object); null when the hub sent none for it.</summary>
    public Metadata? GetPropertyMetadata(string propertyName)
        => MetadataOf(propertyName) is { } m ? new Metadata(ReadTime(m[LastUpdatedName]), ReadLong(m[LastUpdatedVersionName])) : null;

    /// <summary>Drops <c>$metadata</c> and <c>$version</c>, leaving only values (as in a patch).</summary>
    public void ClearMetadata()
    {
        _data.Remove(MetadataName);
        _data.Remove(VersionName);
    }

    /// <summary>The collection as JSON, <c>$metadata</c> and <c>$version</c> included.</summary>
    public string ToJson(bool indented = false) => _data.ToJsonString(indented ? ServiceJson.Indented : ServiceJson.Options);

    /// <summary>A copy of the collection as a JSON object.</summary>
    public JsonObject ToJsonObject() => (JsonObject)_data.DeepClone();

    /// <summary>The live JSON object (internal: the serializer and patch writer read it).</summary>
    internal JsonObject Node => _data;

    /// <summary>The collection as compact JSON.</summary>
    public override string ToString() => ToJson();

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        foreach (var key in Keys)
            yield return new KeyValuePair<string, object?>(key, this[key]);
    }

    /// <summary>Adds a property; throws if it exists (use the indexer to overwrite).</summary>
    public void Add(string key, object? value)
    {
        if (_data.ContainsKey(key)) throw new ArgumentException($"The twin collection already has a property '{key}'.", nameof(key));
        _data[key] = ToNode(value);
    }

    /// <summary>Removes a property from this local copy (to delete it on the hub, set it to null and send a patch).</summary>
    public bool Remove(string key) => _data.Remove(key);

    /// <summary>Removes every property, <c>$version</c> and <c>$metadata</c> included.</summary>
    public void Clear() => _data.Clear();

    bool IDictionary<string, object?>.ContainsKey(string key) => !IsReserved(key) && _data.ContainsKey(key);

    bool IDictionary<string, object?>.TryGetValue(string key, out object? value)
    {
        var found = !IsReserved(key) && _data.ContainsKey(key);
        value = found ? this[key] : null;
        return found;
    }

    bool ICollection<KeyValuePair<string, object?>>.IsReadOnly => false;
    void ICollection<KeyValuePair<string, object?>>.Add(KeyValuePair<string, object?> item) => Add(item.Key, item.Value);
    bool ICollection<KeyValuePair<string, object?>>.Contains(KeyValuePair<string, object?> item)
        => Contains(item.Key) && Equals(this[item.Key], item.Value);
    bool ICollection<KeyValuePair<string, object?>>.Remove(KeyValuePair<string, object?> item)
        => ((ICollection<KeyValuePair<string, object?>>)this).Contains(item) && Remove(item.Key);
    void ICollection<KeyValuePair<string, object?>>.CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex)
        => this.ToList().CopyTo(array, arrayIndex);
    IEnumerator IEnumerable.GetEnumerator() => ((IDictionary)this).GetEnumerator();

    object? IDictionary.this[object key]
    {
        get => this[KeyOf(key)];
        set => this[KeyOf(key)] = value;
    }

    ICollection IDictionary.Keys => (ICollection)Keys;
    ICollection IDictionary.Values => (ICollection)Values;
    bool IDictionary.IsReadOnly => false;
    bool IDictionary.IsFixedSize => false;
    bool ICollection.IsSynchronized => false;
    object ICollection.SyncRoot => _data;
    void IDictionary.Add(object key, object? value) => Add(KeyOf(key), value);
    bool IDictionary.Contains(object key) => key is string s && !IsReserved(s) && _data.ContainsKey(s);
    void IDictionary.Remove(object key) => Remove(KeyOf(key));
    void ICollection.CopyTo(Array array, int index)
    {
        foreach (var pair in this) array.SetValue(new DictionaryEntry(pair.Key, pair.Value), index++);
    }

    IDictionaryEnumerator IDictionary.GetEnumerator()
        => new DictionaryEnumerator(this.Select(p => new DictionaryEntry(p.Key, p.Value)).ToList());

    private JsonObject? Metadata => _isView ? _viewMetadata : _data[MetadataName] as JsonObject;

    private JsonObject? MetadataOf(string propertyName) => Metadata?[propertyName] as JsonObject;

    private static bool IsReserved(string key) => key is MetadataName or VersionName;

    private static string KeyOf(object key)
        => key as string ?? throw new ArgumentException("Twin property names are strings.", nameof(key));

    private static object? FromNode(JsonNode? node, JsonObject? metadata) => node switch
    {
        null => null,
        JsonObject o => new TwinCollection(o, metadata),
        JsonArray a => a.Select(e => FromNode(e, null)).ToArray(),
        _ => FromElement(node.Deserialize<JsonElement>()),
    };

    private static object? FromElement(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? (object)l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        TwinCollection tc => tc._data.Parent is null ? tc._data : tc._data.DeepClone(),
        JsonNode n => n.Parent is null ? n : n.DeepClone(),
        _ => JsonSerializer.SerializeToNode(value, value.GetType(), ServiceJson.Options),
    };

    private static DateTime? ReadTime(JsonNode? node)
    {
        if (node is not JsonValue v || !v.TryGetValue<string>(out var s)) return null;
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.UtcDateTime : null;
    }

    private static long? ReadLong(JsonNode? node)
        => node is JsonValue v && long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private sealed class DictionaryEnumerator(List<DictionaryEntry> entries) : IDictionaryEnumerator
    {
        private int _index = -1;
        public DictionaryEntry Entry => entries[_index];
        public object Key => Entry.Key;
        public object? Value => Entry.Value;
        public object Current => Entry;
        public bool MoveNext() => ++_index < entries.Count;
        public void Reset() => _index = -1;
    }

    private static JsonObject ParseObject(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonNode.Parse(json) as JsonObject
                ?? throw new ArgumentException("The twin collection JSON must be an object ({...}).", nameof(json));
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The twin collection JSON is not valid: {ex.Message}", nameof(json), ex);
        }
    }
}
