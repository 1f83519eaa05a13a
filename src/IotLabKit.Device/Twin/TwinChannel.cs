using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Device.Mqtt;
using MQTTnet.Protocol;

namespace IotLabKit.Device;

/// <summary>Called with each desired-properties change (the patch, or the full desired section after a reconnect).</summary>
public delegate Task DesiredPropertyUpdateCallback(TwinCollection desiredProperties, object? userContext);

/// <summary>
/// The device's side of the twin over MQTT: GET and reported PATCH as request/response matched by <c>$rid</c>, and
/// desired-property patches delivered to the application once each, including across reconnects.
/// </summary>
internal sealed class TwinChannel
{
    private readonly MqttHubConnection _connection;
    private readonly DeviceClientOptions _options;
    private readonly CallbackQueue _callbacks;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<TwinAnswer>> _pending = new(StringComparer.Ordinal);
    private volatile DesiredTarget? _desired; // a reference, so the receive loop never sees half an update

    public TwinChannel(MqttHubConnection connection, DeviceClientOptions options)
    {
        _connection = connection;
        _options = options;
        _callbacks = new CallbackQueue(options.CallbackException);
    }

    /// <summary>Which desired versions the application has seen.</summary>
    public DesiredVersionTracker Versions { get; } = new();

    /// <summary>Reads the twin (desired and reported); what it shows counts as seen by the application.</summary>
    public async Task<Twin> GetTwinAsync(CancellationToken cancellationToken)
    {
        var twin = await FetchTwinAsync(cancellationToken).ConfigureAwait(false);
        Versions.ObserveFullTwin(twin.Properties.Desired.Version);
        return twin;
    }

    /// <summary>Sends a reported-properties patch; returns the new reported <c>$version</c> when the hub gives it.</summary>
    public async Task<long?> UpdateReportedPropertiesAsync(TwinCollection reportedProperties, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reportedProperties);
        var body = Encoding.UTF8.GetBytes(reportedProperties.ToPatch().ToJsonString());
        var answer = await RequestAsync(HubTopics.ReportedPatch, body, "Updating reported properties", cancellationToken).ConfigureAwait(false);
        return answer.Version;
    }

    /// <summary>Sets (or with null removes) the desired-properties callback.</summary>
    public async Task SetDesiredCallbackAsync(DesiredPropertyUpdateCallback? callback, object? userContext, CancellationToken cancellationToken)
    {
        if (callback is null)
        {
            _desired = null;
            await _connection.UnsubscribeAsync(HubTopics.DesiredPatchFilter, cancellationToken).ConfigureAwait(false);
            return;
        }
        await _connection.SubscribeAsync(HubTopics.DesiredPatchFilter, MqttQualityOfServiceLevel.AtMostOnce, cancellationToken).ConfigureAwait(false);
        _desired = new DesiredTarget(callback, userContext, _connection.Epoch);
        if (Versions.Seen is null)
        {
            // The documented flow: subscribe, then GET, so that after a reconnect a newer desired version can be
            // told apart from one the application already had when it subscribed.
            try
            {
                var twin = await FetchTwinAsync(cancellationToken).ConfigureAwait(false);
                Versions.ObserveFullTwin(twin.Properties.Desired.Version);
            }
            catch (IotHubException)
            {
                // Without this baseline the next reconnect delivers the full desired section once; nothing is lost.
            }
        }
    }

    /// <summary>After a reconnect: read the twin and hand the application the desired changes it missed, once.</summary>
    /// <param name="epoch">The connection that just came up; a callback set on this very connection has missed nothing.</param>
    public async Task CatchUpAfterReconnectAsync(long epoch)
    {
        if (_desired is not { } target || target.Epoch >= epoch) return;
        var twin = await FetchTwinAsync(CancellationToken.None).ConfigureAwait(false);
        var desired = twin.Properties.Desired;
        if (Versions.AcceptFullAfterReconnect(desired.Version))
            _callbacks.Enqueue(() => target.Callback(desired, target.Context));
    }

    /// <summary>A twin response arrived (on the receive loop: completes the waiting request and returns).</summary>
    public void OnResponse(string topic, byte[] payload)
    {
        if (!HubTopics.TryParseTwinResponse(topic, out var status, out var rid, out var version)) return;
        if (_pending.TryRemove(rid, out var waiting)) waiting.TrySetResult(new TwinAnswer(status, version, payload));
    }

    /// <summary>A desired patch arrived (on the receive loop: queues the callback and returns).</summary>
    public void OnDesiredPatch(string topic, byte[] payload)
    {
        if (_desired is not { } target) return;
        HubTopics.TryParseDesiredPatch(topic, out var topicVersion);
        JsonObject patch;
        try
        {
            patch = JsonNode.Parse(payload) as JsonObject ?? throw new JsonException("The desired patch is not a JSON object.");
        }
        catch (JsonException ex)
        {
            CallbackQueue.Report(_options.CallbackException, new IotHubException($"The hub sent a desired-properties patch that is not a JSON object; it was skipped. {ex.Message}", ex));
            return;
        }
        var collection = new TwinCollection(patch);
        long? version = patch.ContainsKey("$version") ? collection.Version : topicVersion;
        if (Versions.AcceptPatch(version))
            _callbacks.Enqueue(() => target.Callback(collection, target.Context));
    }

    /// <summary>The connection went down: no answer will come to the requests sent on it.</summary>
    public void FailPending(Exception reason)
    {
        foreach (var rid in _pending.Keys)
            if (_pending.TryRemove(rid, out var waiting)) waiting.TrySetException(reason);
    }

    private async Task<Twin> FetchTwinAsync(CancellationToken cancellationToken)
    {
        var answer = await RequestAsync(HubTopics.TwinGet, Array.Empty<byte>(), "Getting the twin", cancellationToken).ConfigureAwait(false);
        return ParseTwin(answer.Body);
    }

    private async Task<TwinAnswer> RequestAsync(Func<string, string> topicFor, byte[] body, string operation, CancellationToken cancellationToken)
    {
        await _connection.SubscribeAsync(HubTopics.TwinResponseFilter, MqttQualityOfServiceLevel.AtMostOnce, cancellationToken).ConfigureAwait(false);
        var answer = await _connection.ExecuteAsync(async ct =>
        {
            var rid = Guid.NewGuid().ToString();
            var waiting = new TaskCompletionSource<TwinAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[rid] = waiting;
            try
            {
                await _connection.PublishAsync(topicFor(rid), body, MqttQualityOfServiceLevel.AtLeastOnce, ct).ConfigureAwait(false);
                return await waiting.Task.WaitAsync(_options.TwinRequestTimeout, _options.TimeProvider, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new IotHubTimeoutException($"{operation} timed out: the hub did not answer within {_options.TwinRequestTimeout.TotalSeconds:0.#} s.");
            }
            finally
            {
                _pending.TryRemove(rid, out _);
            }
        }, cancellationToken).ConfigureAwait(false);
        if (DeviceErrors.FromResponse(answer.Status, answer.Body, operation) is { } error) throw error;
        return answer;
    }

    private static Twin ParseTwin(byte[] body)
    {
        var twin = new Twin();
        if (body.Length == 0) return twin;
        JsonObject root;
        try
        {
            root = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException ex)
        {
            throw new IotHubException($"The hub's twin is not a JSON object: {ex.Message}", null, null, isTransient: false, ex);
        }
        // IoT Hub sends {"desired":…,"reported":…}; accept the REST shape {"properties":{…}} too.
        var sections = root["properties"] as JsonObject ?? root;
        if (sections["desired"] is JsonObject desired) twin.Properties.Desired = new TwinCollection((JsonObject)desired.DeepClone());
        if (sections["reported"] is JsonObject reported) twin.Properties.Reported = new TwinCollection((JsonObject)reported.DeepClone());
        if (root["deviceId"] is JsonValue id && id.TryGetValue<string>(out var deviceId)) twin.DeviceId = deviceId;
        return twin;
    }

    private readonly record struct TwinAnswer(int Status, long? Version, byte[] Body);

    private sealed record DesiredTarget(DesiredPropertyUpdateCallback Callback, object? Context, long Epoch);
}
