using System.Linq.Expressions;
using CinematicSwitch.Avro.Binary;
using CinematicSwitch.Avro.Generic;
using CinematicSwitch.Avro.Resolution;

namespace CinematicSwitch.Avro.Codec;

/// <summary>Holds a compiled delegate, so that recursive records can call one that is still being compiled.</summary>
internal sealed class DelegateHolder<TDelegate>
    where TDelegate : Delegate
{
    public TDelegate? Value;
}

/// <summary>
/// Compiles bindings (and, for reading, resolution plans) into expression-tree delegates: one per record type,
/// straight calls to the encoder and decoder, no boxing and no intermediate generic values.
/// </summary>
internal sealed class CodecCompiler
{
    private readonly Dictionary<RecordBinding, object> _writers = [];
    private readonly Dictionary<(ReadPlan, Binding), object> _readers = [];

    public static Action<AvroEncoder, T> CompileWriter<T>(RecordBinding binding) =>
        ((DelegateHolder<Action<AvroEncoder, T>>)new CodecCompiler().WriterHolder(binding)).Value!;

    public static Func<AvroDecoder, T> CompileReader<T>(ReadPlan plan, RecordBinding binding) =>
        ((DelegateHolder<Func<AvroDecoder, T>>)new CodecCompiler().ReaderHolder(plan, binding)).Value!;

    // ---- writing -------------------------------------------------------------------------------------------

    private object WriterHolder(RecordBinding binding)
    {
        if (_writers.TryGetValue(binding, out var existing))
        {
            return existing;
        }

        var delegateType = typeof(Action<,>).MakeGenericType(typeof(AvroEncoder), binding.ClrType);
        var holder = Activator.CreateInstance(typeof(DelegateHolder<>).MakeGenericType(delegateType))!;
        _writers[binding] = holder;

        var encoder = Expression.Parameter(typeof(AvroEncoder), "encoder");
        var record = Expression.Parameter(binding.ClrType, "record");
        var body = binding.Members.Count == 0
            ? (Expression)Expression.Empty()
            : Expression.Block(binding.Members.Select(m =>
                Write(m.Binding, encoder, Expression.Property(record, m.Property), $"{binding.Schema.Name}.{m.Field.Name}")));
        SetHolder(holder, Expression.Lambda(delegateType, body, encoder, record).Compile());
        return holder;
    }

    private Expression Write(Binding binding, Expression encoder, Expression value, string location)
    {
        switch (binding)
        {
            case ScalarBinding scalar:
                return WriteScalar(scalar, encoder, value, location);
            case EnumBinding enumBinding:
                var underlying = Enum.GetUnderlyingType(enumBinding.ClrType);
                var cases = Enumerable.Range(0, enumBinding.ValuesByOrdinal.Length)
                    .Select(i => Expression.SwitchCase(
                        Call(encoder, nameof(AvroEncoder.WriteEnum), Expression.Constant(i)),
                        Expression.Constant(Convert.ChangeType(enumBinding.ValuesByOrdinal.GetValue(i), underlying, System.Globalization.CultureInfo.InvariantCulture), underlying)))
                    .ToArray();
                return Expression.Switch(Expression.Convert(value, underlying),
                    Throw($"{location} has a value that is not a member of {Naming.Describe(enumBinding.ClrType)}", typeof(void)), cases);
            case ArrayBinding array:
                var itemType = array.Items.ClrType;
                var writeItem = CompileItemWriter(array.Items, location + "[]");
                var listType = typeof(IReadOnlyList<>).MakeGenericType(itemType);
                return listType.IsAssignableFrom(array.ClrType)
                    ? Expression.Call(typeof(Conversions), nameof(Conversions.WriteList), [itemType], encoder,
                        Expression.Convert(NotNull(value, location), listType), writeItem)
                    : Expression.Call(typeof(Conversions), nameof(Conversions.WriteEnumerable), [itemType], encoder,
                        Expression.Convert(NotNull(value, location), typeof(IEnumerable<>).MakeGenericType(itemType)), writeItem);
            case MapBinding map:
                var valueType = map.Values.ClrType;
                var entries = typeof(IEnumerable<>).MakeGenericType(typeof(KeyValuePair<,>).MakeGenericType(typeof(string), valueType));
                return Expression.Call(typeof(Conversions), nameof(Conversions.WriteMap), [valueType], encoder,
                    Expression.Convert(NotNull(value, location), entries), CompileItemWriter(map.Values, location + "{}"));
            case NullableBinding nullable:
                var local = Expression.Variable(nullable.ClrType, "value");
                var unwrapped = Nullable.GetUnderlyingType(nullable.ClrType) is null ? (Expression)local : Expression.Property(local, "Value");
                return Expression.Block([local],
                    Expression.Assign(local, value),
                    Expression.IfThenElse(
                        Expression.Equal(local, Expression.Constant(null, nullable.ClrType)),
                        Call(encoder, nameof(AvroEncoder.WriteUnionIndex), Expression.Constant(nullable.NullBranch)),
                        Expression.Block(
                            Call(encoder, nameof(AvroEncoder.WriteUnionIndex), Expression.Constant(nullable.ValueBranch)),
                            Write(nullable.Inner, encoder, unwrapped, location))));
            case RecordBinding record:
                var holder = WriterHolder(record);
                return Expression.Invoke(Expression.Field(Expression.Constant(holder), "Value"), encoder, NotNull(value, location));
            default:
                throw new InvalidOperationException($"unexpected binding {binding.GetType().Name}");
        }
    }

    private ConstantExpression CompileItemWriter(Binding items, string location)
    {
        var encoder = Expression.Parameter(typeof(AvroEncoder), "encoder");
        var item = Expression.Parameter(items.ClrType, "item");
        var delegateType = typeof(Action<,>).MakeGenericType(typeof(AvroEncoder), items.ClrType);
        return Expression.Constant(Expression.Lambda(delegateType, Write(items, encoder, item, location), encoder, item).Compile(), delegateType);
    }

    private static MethodCallExpression WriteScalar(ScalarBinding binding, Expression encoder, Expression value, string location)
    {
        var schema = binding.Schema;
        return binding.Kind switch
        {
            ScalarKind.Boolean => Call(encoder, nameof(AvroEncoder.WriteBoolean), value),
            ScalarKind.Int => Call(encoder, nameof(AvroEncoder.WriteInt), value),
            ScalarKind.Long => Call(encoder, nameof(AvroEncoder.WriteLong), value),
            ScalarKind.Float => Call(encoder, nameof(AvroEncoder.WriteFloat), value),
            ScalarKind.Double => Call(encoder, nameof(AvroEncoder.WriteDouble), value),
            ScalarKind.String => Call(encoder, nameof(AvroEncoder.WriteString), NotNull(value, location)),
            ScalarKind.Guid => Call(encoder, nameof(AvroEncoder.WriteGuid), value),
            ScalarKind.Bytes => Static(nameof(Conversions.WriteBytes), encoder, NotNull(value, location)),
            ScalarKind.Fixed => Static(nameof(Conversions.WriteFixed), encoder, NotNull(value, location), Expression.Constant(((FixedSchema)schema).Size)),
            ScalarKind.Date => Call(encoder, nameof(AvroEncoder.WriteInt), Static(nameof(Conversions.ToDays), value)),
            ScalarKind.TimeMillis => Call(encoder, nameof(AvroEncoder.WriteInt), Static(nameof(Conversions.ToMillisOfDay), value)),
            ScalarKind.TimeMicros => Call(encoder, nameof(AvroEncoder.WriteLong), Static(nameof(Conversions.ToMicrosOfDay), value)),
            ScalarKind.TimestampMillis => Call(encoder, nameof(AvroEncoder.WriteLong), Static(nameof(Conversions.ToUnixMillis), value)),
            ScalarKind.TimestampMicros => Call(encoder, nameof(AvroEncoder.WriteLong), Static(nameof(Conversions.ToUnixMicros), value)),
            ScalarKind.LocalTimestampMillis => Call(encoder, nameof(AvroEncoder.WriteLong), Static(nameof(Conversions.ToLocalMillis), value)),
            ScalarKind.LocalTimestampMicros => Call(encoder, nameof(AvroEncoder.WriteLong), Static(nameof(Conversions.ToLocalMicros), value)),
            ScalarKind.DecimalBytes => Static(nameof(Conversions.WriteDecimalBytes), encoder, value,
                Expression.Constant(schema.DecimalPrecision), Expression.Constant(schema.DecimalScale)),
            ScalarKind.DecimalFixed => Static(nameof(Conversions.WriteDecimalFixed), encoder, value,
                Expression.Constant(schema.DecimalPrecision), Expression.Constant(schema.DecimalScale), Expression.Constant(((FixedSchema)schema).Size)),
            ScalarKind.Duration => Static(nameof(Conversions.WriteDuration), encoder, value),
            _ => throw new InvalidOperationException($"unexpected kind {binding.Kind}"),
        };
    }

    private static Expression NotNull(Expression value, string location) =>
        value.Type.IsValueType
            ? value
            : Expression.Coalesce(value, Throw($"{location} is null, but its schema does not allow null", value.Type));

    // ---- reading -------------------------------------------------------------------------------------------

    private object ReaderHolder(ReadPlan plan, RecordBinding binding)
    {
        if (_readers.TryGetValue((plan, binding), out var existing))
        {
            return existing;
        }

        var delegateType = typeof(Func<,>).MakeGenericType(typeof(AvroDecoder), binding.ClrType);
        var holder = Activator.CreateInstance(typeof(DelegateHolder<>).MakeGenericType(delegateType))!;
        _readers[(plan, binding)] = holder;

        var decoder = Expression.Parameter(typeof(AvroDecoder), "decoder");
        SetHolder(holder, Expression.Lambda(delegateType, ReadRecordBody((RecordPlan)plan, binding, decoder), decoder).Compile());
        return holder;
    }

    private Expression ReadRecordBody(RecordPlan plan, RecordBinding binding, ParameterExpression decoder)
    {
        if (plan.Failure is not null)
        {
            return Throw(plan.Failure, binding.ClrType, typeof(AvroResolutionException));
        }

        var locals = binding.Members.Select(m => Expression.Variable(m.Property.PropertyType, m.Property.Name)).ToArray();
        var body = new List<Expression>();
        foreach (var step in plan.Steps)
        {
            body.Add(step.ReaderField is null
                ? Expression.Call(typeof(Skipper), nameof(Skipper.Skip), null, decoder, Expression.Constant(step.WriterField.Schema, typeof(Schema)))
                : Expression.Assign(locals[step.ReaderField.Position], Read(step.Plan!, binding.Members[step.ReaderField.Position].Binding, decoder)));
        }

        foreach (var field in plan.Defaults)
        {
            body.Add(Expression.Assign(locals[field.Position], DefaultValue(field, binding.Members[field.Position].Binding)));
        }

        var constructor = binding.Constructor!;
        var arguments = new Expression[constructor.GetParameters().Length];
        var assignments = new List<System.Linq.Expressions.MemberBinding>();
        foreach (var member in binding.Members)
        {
            if (member.ConstructorIndex >= 0)
            {
                arguments[member.ConstructorIndex] = locals[member.Field.Position];
            }
            else
            {
                assignments.Add(Expression.Bind(member.Property, locals[member.Field.Position]));
            }
        }

        body.Add(Expression.MemberInit(Expression.New(constructor, arguments), assignments));
        return Expression.Block(binding.ClrType, locals, body);
    }

    private Expression Read(ReadPlan plan, Binding binding, Expression decoder)
    {
        switch (plan)
        {
            case ErrorPlan error:
                return Throw(error.Message, binding.ClrType, typeof(AvroResolutionException));
            case WriterUnionPlan union:
                var index = Expression.Call(typeof(Skipper), nameof(Skipper.UnionIndex), null, decoder, Expression.Constant(union.Writer, typeof(UnionSchema)));
                var cases = union.Branches.Select((p, i) => Expression.SwitchCase(Read(p, binding, decoder), Expression.Constant(i))).ToArray();
                return Expression.Switch(binding.ClrType, index, Throw("union index out of range", binding.ClrType), null, cases);
        }

        switch (binding)
        {
            case NullableBinding nullable:
                var selected = (ReaderUnionPlan)plan;
                return selected.Branch == nullable.NullBranch
                    ? Expression.Default(nullable.ClrType)
                    : Expression.Convert(Read(selected.Inner, nullable.Inner, decoder), nullable.ClrType);
            case ScalarBinding scalar:
                return ReadScalar(plan, scalar, decoder);
            case EnumBinding enumBinding:
                var ordinal = Expression.Call(typeof(GenericDatumReader), nameof(GenericDatumReader.MapEnumOrdinal), null,
                    Expression.Constant(plan), Call(decoder, nameof(AvroDecoder.ReadEnum)));
                return Expression.ArrayIndex(Expression.Constant(enumBinding.ValuesByOrdinal), ordinal);
            case ArrayBinding array:
                var readItem = CompileItemReader(((ArrayPlan)plan).Items, array.Items);
                var method = array.ClrType.IsArray ? nameof(Conversions.ReadArray) : nameof(Conversions.ReadList);
                return Expression.Convert(Expression.Call(typeof(Conversions), method, [array.Items.ClrType], decoder, readItem), array.ClrType);
            case MapBinding map:
                var readValue = CompileItemReader(((MapPlan)plan).Values, map.Values);
                return Expression.Convert(Expression.Call(typeof(Conversions), nameof(Conversions.ReadMap), [map.Values.ClrType], decoder, readValue), map.ClrType);
            case RecordBinding record:
                return Expression.Invoke(Expression.Field(Expression.Constant(ReaderHolder(plan, record)), "Value"), decoder);
            default:
                throw new InvalidOperationException($"unexpected binding {binding.GetType().Name}");
        }
    }

    private ConstantExpression CompileItemReader(ReadPlan plan, Binding binding) => Expression.Constant(CompileRead(plan, binding));

    private Delegate CompileRead(ReadPlan plan, Binding binding)
    {
        var decoder = Expression.Parameter(typeof(AvroDecoder), "decoder");
        var delegateType = typeof(Func<,>).MakeGenericType(typeof(AvroDecoder), binding.ClrType);
        return Expression.Lambda(delegateType, Read(plan, binding, decoder), decoder).Compile();
    }

    /// <summary>A reader field the writer lacked: an immutable default is decoded once and inlined; a mutable one
    /// (record, array, map, bytes) is decoded afresh for every record so that no two records share it.</summary>
    private Expression DefaultValue(Field field, Binding binding)
    {
        var read = CompileRead(field.IdentityPlan, binding);
        var decode = typeof(Conversions).GetMethod(nameof(Conversions.DecodeDefault))!.MakeGenericMethod(binding.ClrType);
        if (binding.ClrType.IsValueType || binding.ClrType == typeof(string))
        {
            return Expression.Constant(decode.Invoke(null, [field.DefaultBytes, read]), binding.ClrType);
        }

        return Expression.Call(decode, Expression.Constant(field.DefaultBytes), Expression.Constant(read));
    }

    private static Expression ReadScalar(ReadPlan plan, ScalarBinding binding, Expression decoder)
    {
        var schema = binding.Schema;
        if (plan is FixedPlan)
        {
            var size = Expression.Constant(((FixedSchema)plan.Writer).Size);
            return binding.Kind switch
            {
                ScalarKind.DecimalFixed => Static(nameof(Conversions.ReadDecimalFixed), decoder, size, Expression.Constant(schema.DecimalScale)),
                ScalarKind.Duration => Static(nameof(Conversions.ReadDuration), decoder),
                _ => Call(decoder, nameof(AvroDecoder.ReadFixed), size),
            };
        }

        var writerType = plan.Writer.Type;
        if (binding.Kind == ScalarKind.Guid && writerType == SchemaType.String)
        {
            return Call(decoder, nameof(AvroDecoder.ReadGuid));
        }

        if (binding.Kind == ScalarKind.DecimalBytes && writerType == SchemaType.Bytes)
        {
            return Static(nameof(Conversions.ReadDecimalBytes), decoder, Expression.Constant(schema.DecimalScale));
        }

        var raw = ReadRaw(schema.Type, writerType, decoder);
        return binding.Kind switch
        {
            ScalarKind.Guid => Static(nameof(Conversions.ParseGuid), raw),
            ScalarKind.Date => Static(nameof(Conversions.FromDays), raw),
            ScalarKind.TimeMillis => Static(nameof(Conversions.FromMillisOfDay), raw),
            ScalarKind.TimeMicros => Static(nameof(Conversions.FromMicrosOfDay), raw),
            ScalarKind.TimestampMillis => Static(nameof(Conversions.FromUnixMillis), raw),
            ScalarKind.TimestampMicros => Static(nameof(Conversions.FromUnixMicros), raw),
            ScalarKind.LocalTimestampMillis => Static(nameof(Conversions.FromLocalMillis), raw),
            ScalarKind.LocalTimestampMicros => Static(nameof(Conversions.FromLocalMicros), raw),
            ScalarKind.DecimalBytes => Static(nameof(Conversions.ToDecimal), raw, Expression.Constant(schema.DecimalScale)),
            _ => raw,
        };
    }

    /// <summary>The writer's value as the reader's primitive type, applying the promotions of the specification.</summary>
    private static Expression ReadRaw(SchemaType reader, SchemaType writer, Expression decoder)
    {
        Expression value = writer switch
        {
            SchemaType.Boolean => Call(decoder, nameof(AvroDecoder.ReadBoolean)),
            SchemaType.Int => Call(decoder, nameof(AvroDecoder.ReadInt)),
            SchemaType.Long => Call(decoder, nameof(AvroDecoder.ReadLong)),
            SchemaType.Float => Call(decoder, nameof(AvroDecoder.ReadFloat)),
            SchemaType.Double => Call(decoder, nameof(AvroDecoder.ReadDouble)),
            SchemaType.Bytes => Call(decoder, nameof(AvroDecoder.ReadBytes)),
            SchemaType.String => Call(decoder, nameof(AvroDecoder.ReadString)),
            _ => throw new InvalidOperationException($"unexpected writer type {writer}"),
        };
        return (writer, reader) switch
        {
            (_, SchemaType.Long) when writer != reader => Expression.Convert(value, typeof(long)),
            (_, SchemaType.Float) when writer != reader => Expression.Convert(value, typeof(float)),
            (_, SchemaType.Double) when writer != reader => Expression.Convert(value, typeof(double)),
            (SchemaType.Bytes, SchemaType.String) or (SchemaType.String, SchemaType.Bytes) => Static(nameof(Conversions.Utf8), value),
            _ => value,
        };
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static MethodCallExpression Call(Expression instance, string method, params Expression[] arguments) =>
        Expression.Call(instance, method, null, arguments);

    private static MethodCallExpression Static(string method, params Expression[] arguments) =>
        Expression.Call(typeof(Conversions), method, null, arguments);

    private static UnaryExpression Throw(string message, Type type, Type? exception = null) =>
        Expression.Throw(
            Expression.New((exception ?? typeof(AvroEncodingException)).GetConstructor([typeof(string)])!, Expression.Constant(message)),
            type);

    private static void SetHolder(object holder, Delegate compiled) =>
        holder.GetType().GetField("Value")!.SetValue(holder, compiled);
}
