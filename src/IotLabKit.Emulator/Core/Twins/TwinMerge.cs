using System.Text.Json.Nodes;

namespace IotLabKit.Emulator.Core.Twins;

/// <summary>What a write stamps into <c>$metadata</c>: when, and (desired only) at which section version.</summary>
/// <param name="LastUpdated">The formatted write time.</param>
/// <param name="LastUpdatedVersion">The section's new <c>$version</c>; null for reported properties.</param>
public readonly record struct MetadataStamp(string LastUpdated, long? LastUpdatedVersion);

/// <summary>
/// The one implementation of IoT Hub's twin merge and <c>$metadata</c> rules, used by every writer
/// (REST PATCH/PUT, device reported patches, jobs, configurations):
/// members merge recursively, <c>null</c> deletes (and is a no-op on a missing member), an object patch on a
/// missing member creates it (even if it ends up empty), arrays and scalars replace. Metadata mirrors the value
/// tree: every written node and each of its ancestors gets <c>$lastUpdated</c> (and <c>$lastUpdatedVersion</c> for
/// desired); untouched members keep their old metadata; deleted members lose theirs.
/// Operates in place on trees the caller owns (clone first).
/// </summary>
public static class TwinMerge
{
    /// <summary>The metadata member names.</summary>
    public const string LastUpdated = "$lastUpdated", LastUpdatedVersion = "$lastUpdatedVersion";

    /// <summary>Merges <paramref name="patch"/> into a property section and its metadata; the root is always stamped.</summary>
    /// <returns>True when a value was set or removed.</returns>
    public static bool MergeSection(JsonObject values, JsonObject metadata, JsonObject patch, MetadataStamp stamp)
    {
        var changed = Merge(values, metadata, patch, stamp);
        Stamp(metadata, stamp);
        return changed;
    }

    /// <summary>Replaces a property section wholesale; returns the new metadata tree, every node stamped.</summary>
    public static JsonObject BuildMetadata(JsonObject values, MetadataStamp stamp)
    {
        var meta = NewMetadata(stamp);
        foreach (var (key, value) in values)
            meta[key] = value is JsonObject child ? BuildMetadata(child, stamp) : NewMetadata(stamp);
        return meta;
    }

    /// <summary>Merges <paramref name="patch"/> into tags (same value rules, no metadata).</summary>
    public static void MergeTags(JsonObject tags, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null) { tags.Remove(key); continue; }
            if (value is JsonObject obj)
            {
                if (tags[key] is not JsonObject existing) { existing = new JsonObject(); tags[key] = existing; }
                MergeTags(existing, obj);
                continue;
            }
            tags[key] = value.DeepClone();
        }
    }

    private static bool Merge(JsonObject values, JsonObject metadata, JsonObject patch, MetadataStamp stamp)
    {
        var changed = false;
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                if (values.Remove(key)) { metadata.Remove(key); changed = true; }
                continue;
            }
            if (value is JsonObject obj)
            {
                if (values[key] is JsonObject existing)
                {
                    if (metadata[key] is not JsonObject childMeta) { childMeta = BuildMetadata(existing, stamp); metadata[key] = childMeta; }
                    if (Merge(existing, childMeta, obj, stamp)) { Stamp(childMeta, stamp); changed = true; }
                }
                else
                {
                    var created = new JsonObject();
                    var createdMeta = NewMetadata(stamp);
                    values[key] = created;
                    metadata[key] = createdMeta;
                    Merge(created, createdMeta, obj, stamp);
                    changed = true;
                }
                continue;
            }
            values[key] = value.DeepClone();
            metadata[key] = NewMetadata(stamp);
            changed = true;
        }
        return changed;
    }

    private static JsonObject NewMetadata(MetadataStamp stamp)
    {
        var meta = new JsonObject();
        Stamp(meta, stamp);
        return meta;
    }

    private static void Stamp(JsonObject meta, MetadataStamp stamp)
    {
        meta[LastUpdated] = stamp.LastUpdated;
        if (stamp.LastUpdatedVersion is not { } v) return;
        // A fresh twin's root has no $lastUpdatedVersion yet; keep it beside $lastUpdated, ahead of the children.
        if (meta.ContainsKey(LastUpdatedVersion)) meta[LastUpdatedVersion] = v;
        else meta.Insert(meta.IndexOf(LastUpdated) + 1, LastUpdatedVersion, v);
    }
}
