using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Query;
using IotLabKit.Emulator.Core.Devices;

namespace IotLabKit.Emulator.Core.Twins;

/// <summary>What a write did to the desired properties, for device notifications.</summary>
/// <param name="Patch">The desired patch as devices receive it (the whole desired document after a replace), with <c>$version</c>.</param>
/// <param name="Version">The new desired <c>$version</c>.</param>
public sealed record DesiredChange(JsonObject Patch, long Version);

/// <summary>
/// A device twin's own state (identity copies come from <see cref="DeviceIdentity"/> when it is written out).
/// Immutable: tags and both sections are kept as compact UTF-8 text, and every read of <see cref="Tags"/>,
/// <see cref="TwinSection.Values"/> or <see cref="TwinSection.Metadata"/> gives a new node the reader may change.
/// The <c>With…</c> methods validate, apply through <see cref="TwinMerge"/> and return a new document, so a
/// rejected write leaves nothing half-applied.
/// Counters: the twin <c>version</c> and etag move on every write; a section's <c>$version</c> moves on every
/// write that touches that section (a PATCH with an empty desired object does not touch it).
/// </summary>
public sealed record TwinDocument
{
    // Compact and immutable, like the sections (see TwinSection); a stored twin's is a slice of its service document.
    private JsonElement _tags;

    /// <summary>Tags (no metadata): a new node on every read, free to change (the twin stays as it is).</summary>
    public required JsonObject Tags
    {
        get => JsonObject.Create(_tags)!;
        init => _tags = CompactJson.FromNode(value);
    }
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
            tags = Tags;
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

    /// <summary>
    /// The twin as the service API returns it, identity copies taken from <paramref name="device"/>: a new
    /// <see cref="JsonObject"/> over the compact document (<see cref="ToServiceDocument"/>) that the caller may change.
    /// </summary>
    public JsonObject ToServiceJson(DeviceIdentity device) => JsonObject.Create(ToServiceDocument(device))!;

    /// <summary>
    /// The one definition of the twin as the service sees it (<c>GET /twins/{id}</c>, queries, jobs' and
    /// configurations' conditions): compact, immutable UTF-8 JSON. <see cref="DeviceRecord.ServiceDocument"/> keeps
    /// it per record, so readers never build it again.
    /// </summary>
    public JsonElement ToServiceDocument(DeviceIdentity device) => CompactJson.Write(writer => WriteServiceJson(writer, device));

    private void WriteServiceJson(Utf8JsonWriter writer, DeviceIdentity device)
    {
        writer.WriteStartObject();
        writer.WriteString("deviceId", device.DeviceId);
        writer.WriteString("etag", ETag);
        writer.WriteString("deviceEtag", device.ETag);
        writer.WriteString("status", DeviceJson.WireName(device.Status));
        if (device.StatusReason is not null) writer.WriteString("statusReason", device.StatusReason);
        writer.WriteString("statusUpdateTime", WireTime.Format(device.StatusUpdatedTime));
        writer.WriteString("connectionState", DeviceJson.ConnectionStateName(device.Connected));
        writer.WriteString("lastActivityTime", WireTime.Format(device.LastActivityTime));
        writer.WriteNumber("cloudToDeviceMessageCount", device.CloudToDeviceMessageCount);
        writer.WriteString("authenticationType", DeviceJson.WireName(device.Authentication.Type));
        writer.WriteStartObject("x509Thumbprint");
        writer.WriteString("primaryThumbprint", device.Authentication.PrimaryThumbprint);
        writer.WriteString("secondaryThumbprint", device.Authentication.SecondaryThumbprint);
        writer.WriteEndObject();
        writer.WriteString("modelId", ModelId);
        writer.WriteNumber("version", Version);
        writer.WritePropertyName("tags");
        _tags.WriteTo(writer);
        writer.WriteStartObject("properties");
        writer.WritePropertyName("desired");
        Desired.WriteServiceJson(writer);
        writer.WritePropertyName("reported");
        Reported.WriteServiceJson(writer);
        writer.WriteEndObject();
        writer.WriteStartObject("capabilities");
        writer.WriteBoolean("iotEdge", device.IotEdge);
        writer.WriteEndObject();
        if (!Configurations.IsEmpty)
        {
            writer.WriteStartObject("configurations");
            foreach (var (id, status) in Configurations)
            {
                writer.WriteStartObject(id);
                writer.WriteString("status", status);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>
    /// The same twin with its tags and sections read from <paramref name="serviceDocument"/> — this twin's own
    /// service document (<see cref="ToServiceDocument"/>) — instead of their own text: a stored twin keeps one copy.
    /// </summary>
    internal TwinDocument SharingTextWith(JsonElement serviceDocument)
    {
        var properties = serviceDocument.GetProperty("properties");
        var copy = this with
        {
            Desired = TwinSection.Over(properties.GetProperty("desired")),
            Reported = TwinSection.Over(properties.GetProperty("reported")),
        };
        copy._tags = serviceDocument.GetProperty("tags");
        return copy;
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
        var version = section.Version + 1;
        var (values, metadata) = (section.Values, section.Metadata); // new nodes over the stored text
        var stamp = new MetadataStamp(WireTime.Format(now), kind == TwinSectionKind.Desired ? version : null);
        TwinMerge.MergeSection(values, metadata, patch, stamp);
        TwinValidator.ValidateSize(values, kind);
        return new TwinSection(values, metadata, version);
    }

    private TwinDocument Written(JsonObject? tags, TwinSection? desired, TwinSection? reported)
    {
        var next = this with
        {
            Desired = desired ?? Desired,
            Reported = reported ?? Reported,
            Version = Version + 1,
            ETagCounter = ETagCounter + 1,
        };
        return tags is null ? next : next with { Tags = tags };
    }

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
