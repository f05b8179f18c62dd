using CinematicSwitch.Streaming.Processing.Output;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// A stream as registered: the input topic, the changelog and dead-letter topics (partitioned at least like the input),
/// and the topic of each output type. Topic names are the contract's; the Kafka prefix is applied when it is built.
/// </summary>
public sealed class StreamDefinition
{
    internal StreamDefinition(StreamTopics topics, IReadOnlyDictionary<Type, OutputRoute> routes)
    {
        Topics = topics;
        Routes = routes;
    }

    public StreamTopics Topics { get; }

    internal IReadOnlyDictionary<Type, OutputRoute> Routes { get; }
}

/// <summary>
/// Declares a stream in one readable chain:
/// <c>s =&gt; s.From(Topics.Requested).WithState(Topics.ProcessorState).DeadLettersTo(Topics.RequestedDeadLetters).Emits&lt;TransformationCompleted&gt;(Topics.Completed)</c>.
/// </summary>
public sealed class StreamBuilder
{
    private readonly List<(Type Type, string Topic, Func<IServiceProvider, Func<object, SerializationContext, Task<byte[]>>> Serializer)> _outputs = [];
    private string? _input;
    private string? _state;
    private string? _deadLetters;

    public StreamBuilder From(string topic)
    {
        _input = topic;
        return this;
    }

    /// <summary>The processor's changelog (compacted, partitioned at least like the input).</summary>
    public StreamBuilder WithState(string topic)
    {
        _state = topic;
        return this;
    }

    public StreamBuilder DeadLettersTo(string topic)
    {
        _deadLetters = topic;
        return this;
    }

    /// <summary>Events of type <typeparamref name="T"/> a handler returns go to <paramref name="topic"/>, serialized by the registered <see cref="IAsyncSerializer{T}"/>.</summary>
    public StreamBuilder Emits<T>(string topic)
        where T : class
    {
        _outputs.Add((typeof(T), topic, static services =>
        {
            var serializer = (IAsyncSerializer<T>?)services.GetService(typeof(IAsyncSerializer<T>))
                ?? throw new InvalidOperationException($"No IAsyncSerializer<{typeof(T).Name}> is registered for the stream's output.");
            return (value, context) => serializer.SerializeAsync((T)value, context);
        }));
        return this;
    }

    /// <summary>The definition, with every topic name under <paramref name="topic"/> (the deployment's prefix).</summary>
    public StreamDefinition Build(IServiceProvider services, Func<string, string> topic)
    {
        if (_input is null || _state is null || _deadLetters is null || _outputs.Count == 0)
        {
            throw new InvalidOperationException("A stream needs From, WithState, DeadLettersTo and at least one Emits.");
        }

        var routes = _outputs.ToDictionary(o => o.Type, o => new OutputRoute(topic(o.Topic), o.Serializer(services)));
        var topics = new StreamTopics(topic(_input), topic(_state), topic(_deadLetters), [.. routes.Values.Select(r => r.Topic).Distinct()]);
        return new StreamDefinition(topics, routes);
    }
}
