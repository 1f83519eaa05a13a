using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace IotLabKit.Emulator.Core.Configurations;

/// <summary>What a set of configurations wants in the desired properties of every twin they all target.</summary>
/// <param name="Wanted">The desired-properties tree of the winning leaves (<c>null</c> where content removes a property).</param>
/// <param name="Applied">The configurations that won at least one path.</param>
public sealed record ContentPlan(JsonObject Wanted, ImmutableHashSet<string> Applied);

/// <summary>What the configurations targeting one twin ask of it.</summary>
/// <param name="Patch">The desired-properties patch that brings the twin to what the winning content says, holding
/// only what differs from the twin today; null when the twin already is so.</param>
/// <param name="Applied">The configurations that won at least one path (their status is <c>Applied</c>).</param>
public sealed record ContentResolution(JsonObject? Patch, ImmutableHashSet<string> Applied);

/// <summary>
/// The priority rule, as pure logic. Each configuration's content is a set of leaves (a path and a value). Taken
/// strongest first (<see cref="DeviceConfiguration.CompareByPrecedence"/>), a configuration wins each leaf that
/// no stronger configuration already holds: the same path, or a path inside or around it where the outer one
/// is a value rather than an object (objects merge, so <c>firmware.fwVersion</c> from one configuration and
/// <c>firmware.fwPackageURI</c> from another both apply). The winning leaves make the wanted desired
/// properties; the patch is what differs from the twin's desired properties now, so evaluating twice writes
/// nothing the second time.
/// </summary>
public static class ContentResolver
{
    /// <summary>Resolves the content of the configurations that target a twin.</summary>
    /// <param name="targeting">The configurations whose target condition the twin matches, in any order.</param>
    /// <param name="desired">The twin's desired properties now (values only, without <c>$metadata</c>/<c>$version</c>).</param>
    public static ContentResolution Resolve(IEnumerable<DeviceConfiguration> targeting, JsonObject desired)
    {
        var plan = Plan(targeting);
        var patch = Difference(plan.Wanted, desired);
        return new ContentResolution(patch.Count > 0 ? patch : null, plan.Applied);
    }

    /// <summary>
    /// The twin-independent half of <see cref="Resolve"/>: which leaves win. Twins targeted by the same set of
    /// configurations share one plan, so an evaluation over many twins plans once per distinct set.
    /// </summary>
    /// <param name="targeting">The configurations that target the twin, in any order.</param>
    public static ContentPlan Plan(IEnumerable<DeviceConfiguration> targeting)
    {
        var held = new List<ContentLeaf>();
        var wanted = new JsonObject();
        var applied = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var configuration in targeting.Order(Comparer<DeviceConfiguration>.Create(DeviceConfiguration.CompareByPrecedence)))
        {
            var won = new List<ContentLeaf>();
            foreach (var leaf in configuration.Content.Leaves)
            {
                if (held.Any(h => Collides(h, leaf))) continue;
                won.Add(leaf);
            }
            if (won.Count == 0) continue;
            applied.Add(configuration.Id);
            foreach (var leaf in won)
            {
                held.Add(leaf);
                Set(wanted, leaf);
            }
        }
        return new ContentPlan(wanted, applied.ToImmutable());
    }

    /// <summary>True when two leaves cannot both be in force.</summary>
    internal static bool Collides(ContentLeaf a, ContentLeaf b)
    {
        var shorter = a.Path.Length <= b.Path.Length ? a : b;
        var longer = ReferenceEquals(shorter, a) ? b : a;
        for (var i = 0; i < shorter.Path.Length; i++)
        {
            if (!string.Equals(shorter.Path[i], longer.Path[i], StringComparison.Ordinal)) return false;
        }
        // Same path: one value per path. A strict prefix collides unless it is an (empty) object the other merges into.
        return shorter.Path.Length == longer.Path.Length || !shorter.IsObject;
    }

    private static void Set(JsonObject tree, ContentLeaf leaf)
    {
        var node = tree;
        for (var i = 0; i < leaf.Path.Length - 1; i++)
        {
            if (node[leaf.Path[i]] is not JsonObject next)
            {
                next = new JsonObject();
                node[leaf.Path[i]] = next;
            }
            node = next;
        }
        var last = leaf.Path[^1];
        if (leaf.IsObject && node[last] is JsonObject) return;
        node[last] = leaf.Value?.DeepClone();
    }

    /// <summary>
    /// The merge patch that turns <paramref name="current"/> into what <paramref name="wanted"/> asks for, leaving
    /// everything <paramref name="wanted"/> does not mention alone. Empty when nothing differs.
    /// </summary>
    internal static JsonObject Difference(JsonObject wanted, JsonObject current)
    {
        var patch = new JsonObject();
        foreach (var (key, value) in wanted)
        {
            var exists = current.TryGetPropertyValue(key, out var now);
            switch (value)
            {
                case null:
                    if (exists) patch[key] = null;
                    break;
                case JsonObject wantedObject when now is JsonObject currentObject:
                    var inner = Difference(wantedObject, currentObject);
                    if (inner.Count > 0) patch[key] = inner;
                    break;
                case JsonObject wantedObject:
                    patch[key] = wantedObject.DeepClone();
                    break;
                default:
                    if (!exists || !JsonNode.DeepEquals(value, now)) patch[key] = value.DeepClone();
                    break;
            }
        }
        return patch;
    }
}
