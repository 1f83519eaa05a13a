using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Core.Devices;

/// <summary>What a bulk item asks for (<c>importMode</c> of IoT Hub's ExportImportDevice).</summary>
public enum ImportMode
{
    /// <summary>Create; an existing device is an error.</summary>
    Create,
    /// <summary>Overwrite an existing device; a missing one is an error.</summary>
    Update,
    /// <summary>Update when <c>eTag</c> matches the device's etag.</summary>
    UpdateIfMatchETag,
    /// <summary>Create, or overwrite an existing device.</summary>
    CreateOrUpdate,
    /// <summary>Create, or overwrite an existing device when <c>eTag</c> matches.</summary>
    CreateOrUpdateIfMatchETag,
    /// <summary>Delete.</summary>
    Delete,
    /// <summary>Delete when <c>eTag</c> matches.</summary>
    DeleteIfMatchETag,
    /// <summary>Overwrite the twin of an existing device.</summary>
    UpdateTwin,
    /// <summary>Overwrite the twin when <c>twinETag</c> matches.</summary>
    UpdateTwinIfMatchETag,
}

/// <summary>One failed item of a bulk operation.</summary>
/// <param name="DeviceId">The item's device id.</param>
/// <param name="Code">Why it failed.</param>
/// <param name="Message">The text for <c>errorStatus</c>.</param>
public sealed record BulkItemError(string DeviceId, IotHubErrorCode Code, string Message);

/// <summary>
/// The identity registry's bulk operation (<c>POST /devices</c>, up to 100 ExportImportDevice items): create,
/// update and delete devices and overwrite twins, in one hub write (one store transaction). Each item succeeds
/// or fails on its own; failures are reported per item, as IoT Hub's BulkRegistryOperationResult does.
/// </summary>
/// <remarks>
/// Twin data in an item (<c>tags</c>, <c>properties.desired</c>, and — as an import job accepts —
/// <c>properties.reported</c>) replaces the twin's tags and desired properties the way <c>PUT /twins</c> does,
/// and merges reported properties the way a device's patch does; it goes through <see cref="TwinDocument"/>
/// like every other twin write.
/// </remarks>
public sealed class BulkRegistry(HubState hub, DeviceRegistry registry, TwinStore twins)
{
    /// <summary>The most items one request may carry.</summary>
    public const int MaxDevices = 100;

    /// <summary>
    /// Reads a request body: an array of at most <see cref="MaxDevices"/> objects, each with a string <c>id</c>,
    /// each id once. Breaking those rules fails the whole request; everything else about an item is checked when
    /// it is applied, and fails only that item.
    /// </summary>
    public static IReadOnlyList<JsonObject> ReadItems(JsonNode? body)
    {
        if (body is not JsonArray array)
            throw HubException.Invalid("The bulk registry body must be a JSON array of devices (ExportImportDevice objects).");
        if (array.Count > MaxDevices)
            throw new HubException(IotHubErrorCode.TooManyDevices, $"The bulk operation lists {array.Count} devices; at most {MaxDevices} are allowed per request.");
        var items = new List<JsonObject>(array.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in array)
        {
            if (node is not JsonObject item)
                throw HubException.Invalid("Each item of the bulk registry body must be a JSON object.");
            if (!item.TryGetPropertyValue("id", out var id) || id is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
                throw HubException.Invalid("Each item of the bulk registry body needs its device id as a string member 'id'.");
            if (!ids.Add(value.GetValue<string>()))
                throw new HubException(IotHubErrorCode.DeviceDefinedMultipleTimes, $"The device '{value.GetValue<string>()}' is listed more than once in the bulk operation.");
            items.Add(item);
        }
        return items;
    }

    /// <summary>Applies the items in one write; returns the items that failed (none means all succeeded).</summary>
    public IReadOnlyList<BulkItemError> Apply(IReadOnlyList<JsonObject> items)
        => hub.Write(tx =>
        {
            var errors = new List<BulkItemError>();
            foreach (var item in items)
            {
                var id = item["id"]!.GetValue<string>();
                try { ApplyOne(tx, id, item); }
                catch (HubException ex) { errors.Add(new BulkItemError(id, ex.Code, ex.Message)); }
            }
            return (IReadOnlyList<BulkItemError>)errors;
        });

    private void ApplyOne(HubState.HubTransaction tx, string id, JsonObject item)
    {
        DeviceValidator.RequireValidDeviceId(id);
        var mode = ReadMode(item);
        var existing = tx.Find(id);
        switch (mode)
        {
            case ImportMode.Create:
                if (existing is not null) throw HubException.DeviceAlreadyExists(id);
                Create(tx, id, item);
                break;
            case ImportMode.CreateOrUpdate or ImportMode.CreateOrUpdateIfMatchETag when existing is null:
                Create(tx, id, item);
                break;
            case ImportMode.Update or ImportMode.UpdateIfMatchETag or ImportMode.CreateOrUpdate or ImportMode.CreateOrUpdateIfMatchETag:
                if (existing is null) throw HubException.DeviceNotFound(id);
                if (mode is ImportMode.UpdateIfMatchETag or ImportMode.CreateOrUpdateIfMatchETag)
                    RequiredETag(item, "eTag", mode).Verify(existing.Identity.ETag, $"device {id}");
                var settings = DeviceJson.ReadSettings(item);
                var twin = WithTwinData(existing.Twin, item, tx.Now, out var updateChange);
                Put(tx, new DeviceRecord(registry.UpdatedIdentity(tx, existing.Identity, settings), twin), updateChange);
                break;
            case ImportMode.Delete or ImportMode.DeleteIfMatchETag:
                if (existing is null) throw HubException.DeviceNotFound(id);
                if (mode == ImportMode.DeleteIfMatchETag) RequiredETag(item, "eTag", mode).Verify(existing.Identity.ETag, $"device {id}");
                registry.StageDelete(tx, id);
                break;
            case ImportMode.UpdateTwin or ImportMode.UpdateTwinIfMatchETag:
                if (existing is null) throw HubException.DeviceNotFound(id);
                if (mode == ImportMode.UpdateTwinIfMatchETag) RequiredETag(item, "twinETag", mode).Verify(existing.Twin.ETag, $"the twin of device {id}");
                Put(tx, existing with { Twin = WithTwinData(existing.Twin, item, tx.Now, out var twinChange) }, twinChange);
                break;
        }
    }

    private static void Create(HubState.HubTransaction tx, string id, JsonObject item)
    {
        var identity = DeviceRegistry.NewIdentity(tx, id, DeviceJson.ReadSettings(item));
        // A new device has no connection yet, so its desired properties need no announcement.
        tx.Put(new DeviceRecord(identity, WithTwinData(TwinDocument.Create(tx.Now), item, tx.Now, out _)));
    }

    // Staged last, once everything about the item has been checked, so a failed item leaves nothing behind.
    private void Put(HubState.HubTransaction tx, DeviceRecord record, DesiredChange? change)
    {
        tx.Put(record);
        if (change is not null) twins.AnnounceDesiredChange(tx, record.Identity.DeviceId, change);
    }

    private static TwinDocument WithTwinData(TwinDocument twin, JsonObject item, DateTimeOffset now, out DesiredChange? change)
    {
        change = null;
        var write = TwinWrite.Parse(item);
        if (write.Tags is not null || write.Desired is not null) twin = twin.WithServiceReplace(write, now, out change);
        if (Reported(item) is { Count: > 0 } reported) twin = twin.WithReportedPatch(reported, now);
        return twin;
    }

    private static JsonObject? Reported(JsonObject item)
    {
        if (item["properties"] is not JsonObject properties || !properties.TryGetPropertyValue("reported", out var node) || node is null)
            return null;
        if (node is not JsonObject reported) throw HubException.Invalid("The member 'properties.reported' must be an object.");
        var patch = new JsonObject();
        foreach (var (key, value) in reported)
        {
            // Echoed $version/$metadata are read-only, as in desired.
            if (!key.StartsWith('$')) patch[key] = value?.DeepClone();
        }
        return patch;
    }

    private static ImportMode ReadMode(JsonObject item)
    {
        if (!item.TryGetPropertyValue("importMode", out var node) || node is null) return ImportMode.CreateOrUpdate;
        if (node.GetValueKind() == JsonValueKind.String && Enum.TryParse<ImportMode>(node.GetValue<string>(), ignoreCase: true, out var mode)
            && Enum.IsDefined(mode) && !int.TryParse(node.GetValue<string>(), out _))
            return mode;
        throw HubException.Invalid($"The importMode '{node.ToJsonString()}' is invalid: use create, update, updateIfMatchETag, createOrUpdate, createOrUpdateIfMatchETag, delete, deleteIfMatchETag, updateTwin or updateTwinIfMatchETag.");
    }

    private static ETagCondition RequiredETag(JsonObject item, string member, ImportMode mode)
    {
        var text = item[member] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>().Trim() : null;
        if (string.IsNullOrEmpty(text))
            throw HubException.Invalid($"The importMode {mode} needs the member '{member}'.");
        // Bulk bodies carry etags as stored values, usually without the quotes an If-Match header has.
        var tag = text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1] : text;
        return tag == "*" ? ETagCondition.Any : ETagCondition.For(tag);
    }
}
