using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using CinematicSwitch.Contracts.Benchmarks;

// Payload sizes are not a BenchmarkDotNet measurement: they are printed first, from the same records.
using (var sizes = new TransformationRequestedBenchmarks())
{
    sizes.Setup();
    Console.WriteLine($"TransformationRequested payload: Avro {sizes.AvroBytes} bytes (5-byte wire-format header included), JSON {sizes.JsonBytes} bytes");
}

var artifacts = Environment.GetEnvironmentVariable("CONTRACTS_BENCHMARK_ARTIFACTS") ?? Path.Combine(".artifacts", "benchmarks", "contracts");
var config = DefaultConfig.Instance
    .WithArtifactsPath(artifacts)
    .AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(15))
    .AddColumn(StatisticColumn.OperationsPerSecond);
BenchmarkRunner.Run<TransformationRequestedBenchmarks>(config, args);
