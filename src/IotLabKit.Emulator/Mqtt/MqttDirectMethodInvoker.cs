using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Methods;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Mqtt;

/// <summary>
/// Direct methods over MQTT: publishes <c>$iothub/methods/POST/{name}/?$rid={rid}</c> (QoS 0, payload as JSON,
/// <c>null</c> included) to a device that is connected and subscribed to <c>$iothub/methods/POST/#</c>, and waits
/// for its <c>$iothub/methods/res/{status}/?$rid={rid}</c>. Request ids are decimal numbers, which every SDK can read
/// (the C SDK parses them as integers). An empty answer is a <c>null</c> payload; an answer that is not JSON is kept
/// as a JSON string so nothing the device sent is lost.
/// </summary>
public sealed class MqttDirectMethodInvoker(DeviceSessionTable sessions, DeviceRegistry registry, TimeProvider clock) : IDirectMethodInvoker
{
    private readonly ConcurrentDictionary<string, PendingCall> _pending = new(StringComparer.Ordinal);
    private long _lastRequestId;

    /// <inheritdoc />
    public async Task<DirectMethodResult> InvokeAsync(string deviceId, string? moduleId, DirectMethodCall call, CancellationToken cancellationToken)
    {
        if (registry.Find(deviceId) is null) throw HubException.DeviceNotFound(deviceId);
        if (moduleId is not null) throw MethodErrors.ModuleNotFound(deviceId, moduleId);
        DirectMethodRequestReader.ValidateMethodName(call.MethodName);
        DirectMethodRequestReader.ValidatePayloadSize(call.Payload, "request");
        var payload = DirectMethodRequestReader.EncodePayload(call.Payload);

        var session = await WaitUntilListeningAsync(deviceId, call.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        var rid = Interlocked.Increment(ref _lastRequestId).ToString(CultureInfo.InvariantCulture);
        var pending = new PendingCall(deviceId);
        _pending[rid] = pending;
        try
        {
            if (!session.TrySend(DeviceSubscription.MethodRequests, DeviceTopics.MethodRequest(call.MethodName, rid), payload))
                throw MethodErrors.DeviceNotOnline(deviceId);
            (int Status, byte[] Body) answer;
            try
            {
                answer = await pending.Answer.Task.WaitAsync(call.ResponseTimeout, clock, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw MethodErrors.ResponseTimedOut(deviceId, call.MethodName, call.ResponseTimeout);
            }
            return new DirectMethodResult(answer.Status, ReadPayload(answer.Body));
        }
        finally
        {
            _pending.TryRemove(rid, out _);
        }
    }

    /// <summary>Takes a device's answer; answers to unknown ids, or to another device's request, are ignored.</summary>
    public void OnResponse(string deviceId, string requestId, int status, byte[] body)
    {
        if (_pending.TryGetValue(requestId, out var pending) && pending.DeviceId == deviceId)
            pending.Answer.TrySetResult((status, body));
    }

    /// <summary>Calls in flight (for tests and diagnostics).</summary>
    public int PendingCount => _pending.Count;

    private async Task<DeviceSession> WaitUntilListeningAsync(string deviceId, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var session = sessions.Get(deviceId);
        if (session.IsListening(DeviceSubscription.MethodRequests)) return session;
        if (connectTimeout <= TimeSpan.Zero) throw MethodErrors.DeviceNotOnline(deviceId);
        var deadline = clock.GetUtcNow() + connectTimeout;
        while (true)
        {
            var changed = session.Changed;
            if (session.IsListening(DeviceSubscription.MethodRequests)) return session;
            var remaining = deadline - clock.GetUtcNow();
            if (remaining <= TimeSpan.Zero) throw MethodErrors.ConnectTimedOut(deviceId, connectTimeout);
            try { await changed.WaitAsync(remaining, clock, cancellationToken).ConfigureAwait(false); }
            catch (TimeoutException) { throw MethodErrors.ConnectTimedOut(deviceId, connectTimeout); }
        }
    }

    private static JsonNode? ReadPayload(byte[] body)
    {
        if (body.Length == 0) return null;
        if (body.Length > DirectMethodRequestReader.MaxPayloadBytes)
            throw new HubException(IotHubErrorCode.MessageTooLarge,
                $"The device answered with {body.Length} bytes; the limit for a method response payload is {DirectMethodRequestReader.MaxPayloadBytes} bytes (128 KB).");
        try { return JsonNode.Parse(body, documentOptions: HubJson.ReadOptions); }
        catch (JsonException) { return JsonValue.Create(Encoding.UTF8.GetString(body)); }
    }

    private sealed class PendingCall(string deviceId)
    {
        public string DeviceId { get; } = deviceId;
        public TaskCompletionSource<(int Status, byte[] Body)> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
