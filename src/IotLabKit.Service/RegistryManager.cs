using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IotLabKit.Protocol;
using IotLabKit.Service.Serialization;
using IotLabKit.Service.Transport;

namespace IotLabKit.Service;

/// <summary>
/// The identity registry and device twins of an IoT hub, over its REST API — shaped like Microsoft's
/// <c>Microsoft.Azure.Devices.RegistryManager</c>, and working unchanged against a real hub or the IotLabKit emulator.
/// One instance keeps one pool of keep-alive connections; create it once and reuse it.
/// </summary>
public sealed partial class RegistryManager : IDisposable, IAsyncDisposable
{
    private readonly IotHubHttpClient _http;
    private int _disposed;

    private RegistryManager(IotHubHttpClient http)
    {
        _http = http;
    }

    /// <summary>The hub's host name (port included when the connection string gives one).</summary>
    public string HostName => _http.HostName;

    /// <summary>
    /// Creates a registry manager from a service connection string
    /// (<c>HostName=…;SharedAccessKeyName=…;SharedAccessKey=…</c>, or <c>…;SharedAccessSignature=…</c>).
    /// With <c>UseDevelopmentEmulator=true</c> it trusts only the emulator's CA (see <see cref="ServiceClientOptions.CaCertificatePath"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is malformed or is not a service connection string.</exception>
    /// <exception cref="FileNotFoundException">UseDevelopmentEmulator=true and no emulator CA certificate was found.</exception>
    public static RegistryManager CreateFromConnectionString(string connectionString, ServiceClientOptions? options = null)
        => new(IotHubHttpClient.FromConnectionString(connectionString, options));

    /// <summary>Does nothing: the client connects on demand. Kept so code written for Microsoft's client runs.</summary>
    public Task OpenAsync() => Task.CompletedTask;

    /// <summary>Does nothing: call <see cref="Dispose"/> to release connections. Kept so code written for Microsoft's client runs.</summary>
    public Task CloseAsync() => Task.CompletedTask;

    /// <summary>Registers a new device. Leave the keys empty and the hub generates them.</summary>
    /// <returns>The device as the hub stored it, keys and ETag included.</returns>
    /// <exception cref="ArgumentException">The device id is invalid, or the device carries an ETag.</exception>
    /// <exception cref="DeviceAlreadyExistsException">A device with that id exists.</exception>
    public Task<Device> AddDeviceAsync(Device device, CancellationToken cancellationToken = default)
    {
        ValidateDevice(device);
        if (!string.IsNullOrEmpty(device.ETag))
            throw new ArgumentException("A new device must not carry an ETag; the hub assigns it.", nameof(device));
        device.Authentication ??= new AuthenticationMechanism();
        return _http.SendAsync<Device>(HttpMethod.Put, DevicePath(device.Id), null, device.ToJson(), ifMatch: null, cancellationToken);
    }

    /// <summary>Reads a device; null when it does not exist.</summary>
    public async Task<Device?> GetDeviceAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        ValidateId(deviceId, nameof(deviceId));
        try
        {
            return await _http.SendAsync<Device>(HttpMethod.Get, DevicePath(deviceId), null, null, null, cancellationToken).ConfigureAwait(false);
        }
        catch (DeviceNotFoundException ex) when (ex.GetType() == typeof(DeviceNotFoundException) && (ex.ErrorName is null || ex.ErrorCode == IotHubErrorCode.DeviceNotFound))
        {
            return null;
        }
    }

    /// <summary>Updates a device (status, keys, capabilities …), only if it has not changed since it was read.</summary>
    /// <exception cref="PreconditionFailedException">The device's ETag is not the current one.</exception>
    public Task<Device> UpdateDeviceAsync(Device device, CancellationToken cancellationToken)
        => UpdateDeviceAsync(device, forceUpdate: false, cancellationToken);

    /// <summary>Updates a device (status, keys, capabilities …).</summary>
    /// <param name="device">The device, usually as read and then changed.</param>
    /// <param name="forceUpdate">True to overwrite whatever is stored (If-Match "*"); false to require the device's ETag to be current.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">The device has no ETag and <paramref name="forceUpdate"/> is false.</exception>
    /// <exception cref="PreconditionFailedException">The device's ETag is not the current one.</exception>
    /// <exception cref="DeviceNotFoundException">There is no such device.</exception>
    public Task<Device> UpdateDeviceAsync(Device device, bool forceUpdate = false, CancellationToken cancellationToken = default)
    {
        ValidateDevice(device);
        if (string.IsNullOrWhiteSpace(device.ETag) && !forceUpdate)
            throw new ArgumentException("The device has no ETag. Read it first (GetDeviceAsync) and update that, or pass forceUpdate: true to overwrite unconditionally.", nameof(device));
        var ifMatch = forceUpdate ? "*" : device.ETag!;
        return _http.SendAsync<Device>(HttpMethod.Put, DevicePath(device.Id), null, device.ToJson(), ifMatch, cancellationToken);
    }

    /// <summary>Deletes a device whatever its state (If-Match "*").</summary>
    /// <exception cref="DeviceNotFoundException">There is no such device.</exception>
    public Task RemoveDeviceAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        ValidateId(deviceId, nameof(deviceId));
        return _http.SendAsync(HttpMethod.Delete, DevicePath(deviceId), null, null, "*", cancellationToken);
    }

    /// <summary>Deletes a device only if it has not changed since it was read (If-Match: its ETag).</summary>
    /// <exception cref="ArgumentException">The device has no ETag.</exception>
    /// <exception cref="PreconditionFailedException">The device changed since it was read.</exception>
    public Task RemoveDeviceAsync(Device device, CancellationToken cancellationToken = default)
    {
        ValidateDevice(device);
        if (string.IsNullOrWhiteSpace(device.ETag))
            throw new ArgumentException("The device has no ETag. Read it first, or remove it by id to delete it unconditionally.", nameof(device));
        return _http.SendAsync(HttpMethod.Delete, DevicePath(device.Id), null, null, device.ETag, cancellationToken);
    }

    /// <summary>Lists up to <paramref name="maxCount"/> devices (the hub caps this at 1000; use a query for more).</summary>
    public async Task<IEnumerable<Device>> GetDevicesAsync(int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        // The trailing slash is what Microsoft's SDKs send (GET /devices/?top=N).
        return await _http.SendAsync<List<Device>>(HttpMethod.Get, "devices/", "top=" + maxCount.ToString(CultureInfo.InvariantCulture), null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Device counts: total, enabled, disabled.</summary>
    public Task<RegistryStatistics> GetRegistryStatisticsAsync(CancellationToken cancellationToken = default)
        => _http.SendAsync<RegistryStatistics>(HttpMethod.Get, "statistics/devices", null, null, null, cancellationToken);

    /// <summary>Service figures: connected devices.</summary>
    public Task<ServiceStatistics> GetServiceStatisticsAsync(CancellationToken cancellationToken = default)
        => _http.SendAsync<ServiceStatistics>(HttpMethod.Get, "statistics/service", null, null, null, cancellationToken);

    /// <summary>Reads a device's twin.</summary>
    /// <exception cref="DeviceNotFoundException">There is no such device.</exception>
    public Task<Twin> GetTwinAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        ValidateId(deviceId, nameof(deviceId));
        return _http.SendAsync<Twin>(HttpMethod.Get, TwinPath(deviceId), null, null, null, cancellationToken);
    }

    /// <summary>
    /// Merges a patch into a twin: the patch's tags and desired properties are added or overwritten, and members
    /// set to null are deleted. Other members of the patch (reported properties, identity fields) are not sent.
    /// </summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="twinPatch">The patch.</param>
    /// <param name="etag">The twin's current ETag, or "*" to patch unconditionally.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The whole twin after the patch.</returns>
    /// <exception cref="PreconditionFailedException">The ETag is not the twin's current one.</exception>
    /// <exception cref="DeviceNotFoundException">There is no such device.</exception>
    public Task<Twin> UpdateTwinAsync(string deviceId, Twin twinPatch, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(twinPatch);
        return WriteTwinAsync(HttpMethod.Patch, deviceId, twinPatch.ToServiceWriteJson(replace: false).ToJsonString(ServiceJson.Options), etag, cancellationToken);
    }

    /// <summary>Merges a JSON patch (<c>{"tags":{…},"properties":{"desired":{…}}}</c>) into a twin.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="jsonTwinPatch">The patch as JSON text.</param>
    /// <param name="etag">The twin's current ETag, or "*" to patch unconditionally.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The whole twin after the patch.</returns>
    /// <exception cref="ArgumentException">The patch is not a JSON object.</exception>
    public Task<Twin> UpdateTwinAsync(string deviceId, string jsonTwinPatch, string etag, CancellationToken cancellationToken = default)
        => WriteTwinAsync(HttpMethod.Patch, deviceId, RequireJsonObject(jsonTwinPatch, nameof(jsonTwinPatch)), etag, cancellationToken);

    /// <summary>
    /// Replaces a twin's tags and desired properties wholesale (what is not in <paramref name="newTwin"/> is removed).
    /// </summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="newTwin">The new tags and desired properties.</param>
    /// <param name="etag">The twin's current ETag, or "*" to replace unconditionally.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The whole twin after the replace.</returns>
    public Task<Twin> ReplaceTwinAsync(string deviceId, Twin newTwin, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newTwin);
        return WriteTwinAsync(HttpMethod.Put, deviceId, newTwin.ToServiceWriteJson(replace: true).ToJsonString(ServiceJson.Options), etag, cancellationToken);
    }

    /// <summary>Replaces a twin's tags and desired properties with those in a JSON document.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="newTwinJson">The new twin as JSON text.</param>
    /// <param name="etag">The twin's current ETag, or "*" to replace unconditionally.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The whole twin after the replace.</returns>
    public Task<Twin> ReplaceTwinAsync(string deviceId, string newTwinJson, string etag, CancellationToken cancellationToken = default)
        => WriteTwinAsync(HttpMethod.Put, deviceId, RequireJsonObject(newTwinJson, nameof(newTwinJson)), etag, cancellationToken);

    private Task<Twin> WriteTwinAsync(HttpMethod method, string deviceId, string body, string etag, CancellationToken cancellationToken)
    {
        ValidateId(deviceId, nameof(deviceId));
        if (string.IsNullOrWhiteSpace(etag))
            throw new ArgumentException("Pass the twin's ETag (as read), or \"*\" to write unconditionally.", nameof(etag));
        return _http.SendAsync<Twin>(method, TwinPath(deviceId), null, body, etag, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _http.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"RegistryManager({HostName})";

    internal static string DevicePath(string deviceId) => "devices/" + Uri.EscapeDataString(deviceId);

    internal static string TwinPath(string deviceId) => "twins/" + Uri.EscapeDataString(deviceId);

    private static string RequireJsonObject(string json, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(json, parameterName);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            // Microsoft's SDK reads twin JSON with Newtonsoft, so lab code writes relaxed JSON ({ tags: { a: 'b' } }).
            try
            {
                node = RelaxedJson.Parse(json);
            }
            catch (JsonException)
            {
                throw new ArgumentException($"The twin JSON is not valid: {ex.Message}", parameterName, ex);
            }
            if (node is JsonObject relaxed) return relaxed.ToJsonString(ServiceJson.Options);
        }
        if (node is JsonObject) return json;
        throw new ArgumentException("The twin JSON must be an object ({...}).", parameterName);
    }

    private static void ValidateDevice(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        ValidateId(device.Id, nameof(device));
        if (device.Authentication?.SymmetricKey is { } keys)
        {
            ValidateKey(keys.PrimaryKey, "primary");
            ValidateKey(keys.SecondaryKey, "secondary");
        }
    }

    private static void ValidateKey(string? key, string which)
    {
        if (string.IsNullOrEmpty(key)) return;
        var bytes = new byte[key.Length];
        if (!Convert.TryFromBase64String(key, bytes, out var length) || length is < 16 or > 64)
            throw new ArgumentException($"The device's {which} key must be base64 of 16 to 64 bytes.", "device");
    }

    /// <summary>
    /// Checks a device or module id against IoT Hub's rule (ASCII letters, digits and <c>-:.+%_#*?!(),=@;$'</c>,
    /// up to 128).
    /// </summary>
    internal static void ValidateId(string? id, string parameterName, string what = "device id")
    {
        if (string.IsNullOrEmpty(id))
            throw new ArgumentException($"The {what} is empty.", parameterName);
        if (!DeviceIdPattern().IsMatch(id))
            throw new ArgumentException(
                $"The {what} '{id}' is not valid: up to 128 characters, ASCII letters, digits and - : . + % _ # * ? ! ( ) , = @ ; $ ' only.", parameterName);
    }

    [GeneratedRegex(@"^[A-Za-z0-9\-:.+%_#*?!(),=@;$']{1,128}$")]
    private static partial Regex DeviceIdPattern();
}
