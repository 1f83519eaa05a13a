using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.Devices;

namespace IotLabKit.Emulator.Core.Twins;

/// <summary>The parts of a twin's service view that cost the most to build, for readers that may not need them.</summary>
[Flags]
public enum TwinViewParts
{
    /// <summary>Identity copies, tags, desired and reported values with <c>$version</c>, capabilities.</summary>
    Core = 0,
    /// <summary>The <c>$metadata</c> trees of desired and reported properties.</summary>
    Metadata = 1,
    /// <summary>The <c>configurations</c> member (statuses of automatic device configurations).</summary>
    Configurations = 2,
    /// <summary>Everything <see cref="TwinDocument.ToServiceJson(DeviceIdentity)"/> shows.</summary>
    All = Metadata | Configurations,
}

/// <summary>What a write did to the desired properties, for device notifications.</summary>
/// <param name="Patch">The desired patch as devices receive it (the whole desired document after a replace), with <c>$version</c>.</param>
/// <param name="Version">The new desired <c>$version</c>.</param>
public sealed record DesiredChange(JsonObject Patch, long Version);

/// <summary>
/// A device twin's own state (identity copies come from <see cref="DeviceIdentity"/> when it is written out).
/// Immutable by convention: the <c>With…</c> methods validate, clone, apply through <see cref="TwinMerge"/>
/// and return a new document, so a rejected write leaves nothing half-applied.
/// Counters: the twin <c>version</c> and etag move on every write; a section's <c>$version</c> moves on every
/// write that touches that section (a PATCH with an empty desired object does not touch it).
/// </summary>
public sealed record TwinDocument
{
    /// <summary>Tags (no metadata).</summary>
    public required JsonObject Tags { get; init; }
    /// <summary>Desired properties.</summary>
    public required TwinSection Desired { get; init; }
    /// <summary>Reported properties.</summary>
    public required TwinSection Reported { get; init; }
    /// <summary>The twin <c>version</c>.</summary>
    public required long Version { get; init; }
    /// <summary>The counter behind <see cref="ETag"/>.</summary>
    public required long ETagCounter { get; init; }
    /// <summary>The twin etag: base64 of the 8-byte big-endian counter.</summary>
    public string ETag => ETags.ForTwin(ETagCounter);
    /// <summary>The device's model id (IoT Plug and Play), empty when none.</summary>
    public string ModelId { get; init; } = "";
    /// <summary>
    /// The automatic device configurations that target this twin: configuration id → <c>Targeted</c> or
    /// <c>Applied</c>. Written only by the configuration engine; shown as the twin's <c>configurations</c> member.
    /// </summary>
    public ImmutableSortedDictionary<string, string> Configurations { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>The twin of a newly created device, as the real hub shows one: etag 1, version 2, both sections at 1.</summary>
    public static TwinDocument Create(DateTimeOffset now)
    {
        var created = WireTime.Format(now);
        return new TwinDocument
        {
            Tags = new JsonObject(),
            Desired = TwinSection.Fresh(created),
            Reported = TwinSection.Fresh(created),
            Version = 2,
            ETagCounter = 1,
        };
    }

    /// <summary>Applies a service PATCH: tags and desired merge.</summary>
    public TwinDocument WithServicePatch(TwinWrite write, DateTimeOffset now, out DesiredChange? desiredChange)
    {
        desiredChange = null;
        JsonObject? tags = null;
        if (write.Tags is { Count: > 0 } tagPatch)
        {
            TwinValidator.ValidatePatch(tagPatch, TwinSectionKind.Tags);
            tags = (JsonObject)Tags.DeepClone();
            TwinMerge.MergeTags(tags, tagPatch);
            TwinValidator.ValidateSize(tags, TwinSectionKind.Tags);
        }
        TwinSection? desired = null;
        if (write.Desired is { Count: > 0 } desiredPatch)
        {
            desired = Merge(Desired, desiredPatch, TwinSectionKind.Desired, now);
            desiredChange = new DesiredChange(WithVersion(desiredPatch, desired.Version), desired.Version);
        }
        return Written(tags, desired, null);
    }

    /// <summary>Applies a service PUT: tags and/or desired, when present in the body, are replaced wholesale.</summary>
    public TwinDocument WithServiceReplace(TwinWrite write, DateTimeOffset now, out DesiredChange? desiredChange)
    {
        desiredChange = null;
        JsonObject? tags = null;
        if (write.Tags is { } newTags)
        {
            TwinValidator.ValidatePatch(newTags, TwinSectionKind.Tags);
            tags = WithoutNulls(newTags);
            TwinValidator.ValidateSize(tags, TwinSectionKind.Tags);
        }
        TwinSection? desired = null;
        if (write.Desired is { } newDesired)
        {
            TwinValidator.ValidatePatch(newDesired, TwinSectionKind.Desired);
            var values = WithoutNulls(newDesired);
            TwinValidator.ValidateSize(values, TwinSectionKind.Desired);
            var version = Desired.Version + 1;
            desired = new TwinSection(values, TwinMerge.BuildMetadata(values, new MetadataStamp(WireTime.Format(now), version)), version);
            desiredChange = new DesiredChange(WithVersion(values, version), version);
        }
        return Written(tags, desired, null);
    }

    /// <summary>
    /// The same twin with new configuration statuses. The hub's own bookkeeping, like the connection state: it
    /// moves neither the twin <c>version</c> nor its etag.
    /// </summary>
    public TwinDocument WithConfigurations(ImmutableSortedDictionary<string, string> statuses)
        => this with { Configurations = statuses };

    /// <summary>Applies a device's reported-properties patch (MQTT <c>PATCH/properties/reported</c>).</summary>
    public TwinDocument WithReportedPatch(JsonObject patch, DateTimeOffset now)
        => Written(null, null, Merge(Reported, patch, TwinSectionKind.Reported, now));

    /// <summary>The twin as the service API returns it, identity copies taken from <paramref name="device"/>.</summary>
    public JsonObject ToServiceJson(DeviceIdentity device)
    {
        var json = IdentityPart(device);
        json["tags"] = Tags.DeepClone();
        json["properties"] = new JsonObject
        {
            ["desired"] = Desired.ToServiceJson(),
            ["reported"] = Reported.ToServiceJson(),
        };
        AddTail(json, device, includeConfigurations: true);
        return json;
    }

    /// <summary>
    /// Runs <paramref name="read"/> over the twin as the service sees it (the shape of <see cref="ToServiceJson(DeviceIdentity)"/>,
    /// with the optional parts asked for) without copying it: the view borrows this twin's own trees for the call
    /// and gives them back before returning. For passes over every twin (configuration evaluation), where copies
    /// of 100,000 twins cost more than the queries run over them. The caller holds the hub's lock, so no reader
    /// can meet a borrowed tree; <paramref name="read"/> must not change the view nor keep anything from it.
    /// </summary>
    public T ReadServiceView<T>(DeviceIdentity device, TwinViewParts parts, Func<JsonObject, T> read)
    {
        var includeMetadata = parts.HasFlag(TwinViewParts.Metadata);
        var json = IdentityPart(device);
        var properties = new JsonObject();
        try
        {
            json["tags"] = Tags;
            Lend(Desired, includeMetadata);
            Lend(Reported, includeMetadata);
            properties["desired"] = Desired.Values;
            properties["reported"] = Reported.Values;
            json["properties"] = properties;
            AddTail(json, device, parts.HasFlag(TwinViewParts.Configurations));
            return read(json);
        }
        finally
        {
            json.Remove("tags");
            properties.Remove("desired");
            properties.Remove("reported");
            GiveBack(Desired);
            GiveBack(Reported);
        }
    }

    private static void Lend(TwinSection section, bool includeMetadata)
    {
        if (includeMetadata) section.Values["$metadata"] = section.Metadata;
        section.Values["$version"] = section.Version;
    }

    private static void GiveBack(TwinSection section)
    {
        section.Values.Remove("$metadata");
        section.Values.Remove("$version");
    }

    private JsonObject IdentityPart(DeviceIdentity device)
    {
        var json = new JsonObject
        {
            ["deviceId"] = device.DeviceId,
            ["etag"] = ETag,
            ["deviceEtag"] = device.ETag,
            ["status"] = DeviceJson.WireName(device.Status),
        };
        if (device.StatusReason is not null) json["statusReason"] = device.StatusReason;
        json["statusUpdateTime"] = WireTime.Format(device.StatusUpdatedTime);
        json["connectionState"] = DeviceJson.ConnectionStateName(device.Connected);
        json["lastActivityTime"] = WireTime.Format(device.LastActivityTime);
        json["cloudToDeviceMessageCount"] = device.CloudToDeviceMessageCount;
        json["authenticationType"] = DeviceJson.WireName(device.Authentication.Type);
        json["x509Thumbprint"] = new JsonObject
        {
            ["primaryThumbprint"] = device.Authentication.PrimaryThumbprint,
            ["secondaryThumbprint"] = device.Authentication.SecondaryThumbprint,
        };
        json["modelId"] = ModelId;
        json["version"] = Version;
        return json;
    }

    private void AddTail(JsonObject json, DeviceIdentity device, bool includeConfigurations)
    {
        json["capabilities"] = new JsonObject { ["iotEdge"] = device.IotEdge };
        if (!includeConfigurations || Configurations.IsEmpty) return;
        var configurations = new JsonObject();
        foreach (var (id, status) in Configurations) configurations[id] = new JsonObject { ["status"] = status };
        json["configurations"] = configurations;
    }

    /// <summary>The twin as a device reads it (MQTT GET): desired and reported with <c>$version</c>, no metadata.</summary>
    public JsonObject ToDeviceJson() => new()
    {
        ["desired"] = Desired.ToDeviceJson(),
        ["reported"] = Reported.ToDeviceJson(),
    };

    private static TwinSection Merge(TwinSection section, JsonObject patch, TwinSectionKind kind, DateTimeOffset now)
    {
        TwinValidator.ValidatePatch(patch, kind);
        var next = section.DeepCopy() with { Version = section.Version + 1 };
        var stamp = new MetadataStamp(WireTime.Format(now), kind == TwinSectionKind.Desired ? next.Version : null);
        TwinMerge.MergeSection(next.Values, next.Metadata, patch, stamp);
        TwinValidator.ValidateSize(next.Values, kind);
        return next;
    }

    private TwinDocument Written(JsonObject? tags, TwinSection? desired, TwinSection? reported)
        => this with
        {
            Tags = tags ?? Tags,
            Desired = desired ?? Desired,
            Reported = reported ?? Reported,
            Version = Version + 1,
            ETagCounter = ETagCounter + 1,
        };

    private static JsonObject WithVersion(JsonObject values, long version)
    {
        var json = (JsonObject)values.DeepClone();
        json["$version"] = version;
        return json;
    }

    // A replacement is a document, not a patch: a null member there means "no such member".
    private static JsonObject WithoutNulls(JsonObject source)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (value is null) continue;
            result[key] = value is JsonObject obj ? WithoutNulls(obj) : value.DeepClone();
        }
        return result;
    }
}
