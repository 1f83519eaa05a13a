using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Core.Configurations;

/// <summary>One value a configuration sets: a path below <c>properties.desired</c> and what goes there.</summary>
/// <param name="Path">The key path below <c>properties.desired</c> (<c>["firmware","fwVersion"]</c>).</param>
/// <param name="Value">A scalar, an array, <c>null</c> (remove the property) or an empty object.</param>
public sealed record ContentLeaf(ImmutableArray<string> Path, JsonNode? Value)
{
    /// <summary>True when the leaf holds an object (always empty: non-empty objects are split into leaves).</summary>
    public bool IsObject => Value is JsonObject;

    /// <summary>The path as the twin writes it (<c>firmware.fwVersion</c>).</summary>
    public override string ToString() => string.Join('.', Path);
}

/// <summary>
/// A configuration's <c>content.deviceContent</c>: twin paths (<c>properties.desired.firmware</c>, or
/// <c>properties.desired</c> itself) mapped to values. Parsed once into the desired-properties tree the paths
/// describe and into its leaves, which is the unit the priority rule works on. Validated with the twin's own
/// rules (<see cref="TwinValidator"/>: keys, depth, values, and the 32 KB desired-properties limit).
/// </summary>
public sealed class ConfigurationContent
{
    /// <summary>The prefix every device-content path starts with.</summary>
    public const string DesiredPrefix = "properties.desired";

    private ConfigurationContent(JsonObject deviceContent, JsonObject tree, ImmutableArray<ContentLeaf> leaves)
    {
        DeviceContent = deviceContent;
        Tree = tree;
        Leaves = leaves;
    }

    /// <summary>No content at all (a configuration that only targets and counts).</summary>
    public static ConfigurationContent Empty { get; } = new(new JsonObject(), new JsonObject(), []);

    /// <summary>The content as the client sent it (path → value); never changed, never handed out without a copy.</summary>
    public JsonObject DeviceContent { get; }

    /// <summary>The desired-properties tree the paths describe (<c>null</c> kept where content removes a property).</summary>
    public JsonObject Tree { get; }

    /// <summary>Every leaf of <see cref="Tree"/>, in content order.</summary>
    public ImmutableArray<ContentLeaf> Leaves { get; }

    /// <summary>The content as the wire shows it: a copy of <see cref="DeviceContent"/>.</summary>
    public JsonObject ToJson() => (JsonObject)DeviceContent.DeepClone();

    /// <summary>True when both describe the same paths and values (member order aside).</summary>
    public bool SameAs(ConfigurationContent other) => JsonNode.DeepEquals(Tree, other.Tree) && Leaves.Length == other.Leaves.Length;

    /// <summary>Reads and checks device content; throws <c>InvalidConfigurationContent</c> with the reason.</summary>
    /// <param name="deviceContent">The <c>deviceContent</c> object (path → value).</param>
    public static ConfigurationContent Parse(JsonObject deviceContent)
    {
        var tree = new JsonObject();
        foreach (var (path, value) in deviceContent)
        {
            var keys = SplitPath(path);
            if (keys.Length == 0)
            {
                if (value is not JsonObject whole)
                    throw Invalid($"The content path '{DesiredPrefix}' must hold an object of desired properties.");
                foreach (var (key, child) in whole) Place(tree, [key], child, path + "." + key);
                continue;
            }
            Place(tree, keys, value, path);
        }
        try
        {
            TwinValidator.ValidatePatch(tree, TwinSectionKind.Desired);
        }
        catch (HubException ex)
        {
            throw Invalid("The content is not valid desired properties: " + ex.Message);
        }
        var size = TwinValidator.SizeOf(tree);
        if (size > TwinValidator.MaxPropertiesBytes)
            throw Invalid($"The content is {size} bytes; content is written into properties.desired, whose limit is {TwinValidator.MaxPropertiesBytes} bytes.");
        var leaves = ImmutableArray.CreateBuilder<ContentLeaf>();
        CollectLeaves(tree, [], leaves);
        return new ConfigurationContent((JsonObject)deviceContent.DeepClone(), tree, leaves.ToImmutable());
    }

    private static string[] SplitPath(string path)
    {
        if (path == DesiredPrefix) return [];
        if (!path.StartsWith(DesiredPrefix + ".", StringComparison.Ordinal))
            throw Invalid($"The content path '{path}' is not supported: device content paths start with '{DesiredPrefix}' " +
                          $"(for example '{DesiredPrefix}.firmware'); tags and reported properties cannot be set by a configuration.");
        var keys = path[(DesiredPrefix.Length + 1)..].Split('.');
        foreach (var key in keys)
        {
            if (TwinValidator.KeyProblem(key) is { } problem)
                throw Invalid($"The content path '{path}' is invalid: the key '{key}' {problem}.");
        }
        return keys;
    }

    // Paths may share a prefix ('…firmware' and '…firmware.fwVersion'); their objects merge, anything else collides.
    private static void Place(JsonObject tree, string[] keys, JsonNode? value, string path)
    {
        var node = tree;
        for (var i = 0; i < keys.Length - 1; i++)
        {
            if (!node.TryGetPropertyValue(keys[i], out var next))
            {
                var created = new JsonObject();
                node[keys[i]] = created;
                node = created;
            }
            else if (next is JsonObject existing) node = existing;
            else throw Invalid($"The content path '{path}' goes inside '{string.Join('.', keys[..(i + 1)])}', which another content path sets to a value.");
        }
        var last = keys[^1];
        if (node.TryGetPropertyValue(last, out var current))
        {
            if (current is JsonObject currentObject && value is JsonObject newObject)
            {
                foreach (var (key, child) in newObject) Place(currentObject, [key], child, path + "." + key);
                return;
            }
            throw Invalid($"The content sets '{string.Join('.', keys)}' twice (content path '{path}').");
        }
        node[last] = value?.DeepClone();
    }

    private static void CollectLeaves(JsonObject node, ImmutableArray<string> path, ImmutableArray<ContentLeaf>.Builder leaves)
    {
        foreach (var (key, value) in node)
        {
            var childPath = path.Add(key);
            if (value is JsonObject { Count: > 0 } child) CollectLeaves(child, childPath, leaves);
            else leaves.Add(new ContentLeaf(childPath, value));
        }
    }

    private static HubException Invalid(string message) => new(IotHubErrorCode.InvalidConfigurationContent, message);
}
