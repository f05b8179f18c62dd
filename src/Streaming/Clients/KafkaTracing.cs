using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Clients;

/// <summary>
/// Traces through Kafka, after OpenTelemetry's messaging semantic conventions for Kafka: a producer span
/// "send {topic}" around each produce, whose W3C trace context (traceparent, tracestate) goes into the record's
/// headers; a consumer span "process {topic}" around the processing of one record, continuing the context its headers
/// carry. Spans come from the ActivitySource <see cref="SourceName"/>; without a listener (no tracing configured)
/// nothing is started and nothing is added to records.
/// </summary>
public static class KafkaTracing
{
    public const string SourceName = "CinematicSwitch.Streaming";

    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Produces <paramref name="message"/> inside a "send" span, with the span's context in the record's headers, and
    /// records where it landed or why it failed. The span is a child of the ambient span or, when there is none, of
    /// <paramref name="parent"/>: the context of the record this one is derived from (a dead letter's original, a
    /// replayed event), which is passed on unchanged when this process traces nothing, so that the trace goes on.
    /// </summary>
    public static async Task<DeliveryResult<TKey, TValue>> ProduceTracedAsync<TKey, TValue>(
        this IProducer<TKey, TValue> producer,
        TopicPartition destination,
        Message<TKey, TValue> message,
        ActivityContext parent = default,
        CancellationToken cancellationToken = default)
    {
        var activity = StartSend(destination, message, parent);
        try
        {
            var delivered = await producer.ProduceAsync(destination, message, cancellationToken);
            Delivered(activity, delivered.TopicPartitionOffset, null);
            return delivered;
        }
        catch (Exception e)
        {
            Delivered(activity, null, e is ProduceException<TKey, TValue> p ? p.Error.Code.ToString() : e.GetType().FullName);
            throw;
        }
    }

    /// <inheritdoc cref="ProduceTracedAsync{TKey,TValue}(IProducer{TKey,TValue},TopicPartition,Message{TKey,TValue},ActivityContext,CancellationToken)"/>
    public static Task<DeliveryResult<TKey, TValue>> ProduceTracedAsync<TKey, TValue>(
        this IProducer<TKey, TValue> producer,
        string topic,
        Message<TKey, TValue> message,
        ActivityContext parent = default,
        CancellationToken cancellationToken = default) =>
        producer.ProduceTracedAsync(new TopicPartition(topic, Partition.Any), message, parent, cancellationToken);

    /// <summary>
    /// Produces without waiting for the broker, inside a "send" span that ends with the delivery report, which is
    /// then handed to <paramref name="report"/>. For status signals that must not hold up the work that sends them.
    /// </summary>
    public static void ProduceTraced<TKey, TValue>(
        this IProducer<TKey, TValue> producer, string topic, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>> report)
    {
        var destination = new TopicPartition(topic, Partition.Any);
        var activity = StartSend(destination, message, default);
        try
        {
            producer.Produce(destination, message, r =>
            {
                Delivered(activity, r.TopicPartitionOffset, r.Error.IsError ? r.Error.Code.ToString() : null);
                report(r);
            });
        }
        catch (Exception e)
        {
            Delivered(activity, null, e.GetType().FullName);
            throw;
        }
    }

    /// <summary>
    /// Starts the span of processing one consumed record, or null without a listener. Its parent is the context the
    /// record's headers carry (the producer's send span), so that one request is one trace from the upload to the
    /// archive. The conventions allow that for a record processed on its own, as here: each record runs on its own,
    /// outside any other span. They also ask for a link to that creation context, which is added too, so tools that
    /// follow links find it either way. A record without a context starts a new trace. Outputs published while the
    /// span is current are its children and carry it on.
    /// </summary>
    public static Activity? StartProcess(string consumerGroup, TopicPartitionOffset source, string? key, Headers? headers)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var creation = Extract(headers);
        // Whatever span happened to be ambient (the task that scheduled this record) is not this record's parent.
        Activity.Current = null;
        var tags = new ActivityTagsCollection
        {
            ["messaging.system"] = "kafka",
            ["messaging.operation.type"] = "process",
            ["messaging.operation.name"] = "process",
            ["messaging.destination.name"] = source.Topic,
            ["messaging.destination.partition.id"] = source.Partition.Value.ToString(CultureInfo.InvariantCulture),
            ["messaging.consumer.group.name"] = consumerGroup,
            ["messaging.kafka.offset"] = source.Offset.Value,
        };
        if (key is not null)
        {
            tags["messaging.kafka.message.key"] = key;
        }

        return Source.StartActivity(
            $"process {source.Topic}", ActivityKind.Consumer, creation, tags, creation == default ? null : [new ActivityLink(creation)]);
    }

    /// <summary>The trace context a record's headers carry (the last traceparent, as headers may be appended to), or default.</summary>
    public static ActivityContext Extract(Headers? headers)
    {
        if (headers is null || !headers.TryGetLastBytes(TraceParentHeader, out var parent))
        {
            return default;
        }

        var state = headers.TryGetLastBytes(TraceStateHeader, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
        return ActivityContext.TryParse(Encoding.UTF8.GetString(parent), state, isRemote: true, out var context) ? context : default;
    }

    private static Activity? StartSend<TKey, TValue>(TopicPartition destination, Message<TKey, TValue> message, ActivityContext parent)
    {
        var ambient = Activity.Current;
        if (ambient is not null)
        {
            parent = default;
        }

        if (!Source.HasListeners())
        {
            if (parent != default)
            {
                Inject(message, parent.TraceId, parent.SpanId, parent.TraceFlags, parent.TraceState);
            }

            return null;
        }

        var tags = new ActivityTagsCollection
        {
            ["messaging.system"] = "kafka",
            ["messaging.operation.type"] = "send",
            ["messaging.operation.name"] = "send",
            ["messaging.destination.name"] = destination.Topic,
        };
        if (destination.Partition != Partition.Any)
        {
            tags["messaging.destination.partition.id"] = destination.Partition.Value.ToString(CultureInfo.InvariantCulture);
        }

        if (KeyText(message.Key) is { } key)
        {
            tags["messaging.kafka.message.key"] = key;
        }

        if (message.Value is null)
        {
            tags["messaging.kafka.message.tombstone"] = true;
        }

        var activity = Source.StartActivity($"send {destination.Topic}", ActivityKind.Producer, parent, tags);
        if (activity is null)
        {
            return null;
        }

        // The send span is the record's creation context.
        Inject(message, activity.TraceId, activity.SpanId, activity.ActivityTraceFlags, activity.TraceStateString);
        // A leaf: what the caller does next (while the broker has not acknowledged yet) is not part of it.
        Activity.Current = ambient;
        return activity;
    }

    /// <summary>
    /// W3C trace context headers. Appended, not replacing: a record that copies another's headers (a dead letter) keeps
    /// the original context before its own, and <see cref="Extract"/> takes the last.
    /// </summary>
    private static void Inject<TKey, TValue>(Message<TKey, TValue> message, ActivityTraceId trace, ActivitySpanId span, ActivityTraceFlags flags, string? state)
    {
        message.Headers ??= [];
        var sampled = (flags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00";
        message.Headers.Add(TraceParentHeader, Encoding.ASCII.GetBytes($"00-{trace.ToHexString()}-{span.ToHexString()}-{sampled}"));
        if (!string.IsNullOrEmpty(state))
        {
            message.Headers.Add(TraceStateHeader, Encoding.UTF8.GetBytes(state));
        }
    }

    private static void Delivered(Activity? activity, TopicPartitionOffset? landed, string? error)
    {
        if (activity is null)
        {
            return;
        }

        if (landed is not null)
        {
            activity.SetTag("messaging.destination.partition.id", landed.Partition.Value.ToString(CultureInfo.InvariantCulture));
            activity.SetTag("messaging.kafka.offset", landed.Offset.Value);
        }

        if (error is not null)
        {
            activity.SetTag("error.type", error);
            activity.SetStatus(ActivityStatusCode.Error);
        }

        activity.Stop();
    }

    private static string? KeyText<TKey>(TKey key) => key switch
    {
        string text => text,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => null,
    };
}
