package io.tsfleet.listener.sink.otlp;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/gRPC receiver for tests: grpc-java's server with the official {@code LogsService} from opentelemetry-proto;
 * keeps every {@link ExportLogsServiceRequest} with its metadata and answers OK or, when told, a gRPC status. Ephemeral
 * port.
 */
final class GrpcOtlpReceiver implements AutoCloseable {
    record Request(Metadata metadata, ExportLogsServiceRequest body) {
        String header(String name) {
            return metadata.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
        }
    }

    private final Server server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Status answer = Status.OK;

    GrpcOtlpReceiver() throws IOException {
        ThreadLocal<Metadata> current = new ThreadLocal<>();
        LogsServiceGrpc.LogsServiceImplBase service = new LogsServiceGrpc.LogsServiceImplBase() {
            @Override
            public void export(ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> response) {
                requests.add(new Request(current.get(), request));
                Status s = answer;
                if (s.isOk()) {
                    response.onNext(ExportLogsServiceResponse.getDefaultInstance());
                    response.onCompleted();
                } else {
                    response.onError(s.asRuntimeException());
                }
            }
        };
        ServerInterceptor keepMetadata = new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                ServerCall.Listener<Q> delegate = next.startCall(call, headers);
                return new io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
                    @Override
                    public void onHalfClose() {
                        current.set(headers);
                        try {
                            super.onHalfClose();
                        } finally {
                            current.remove();
                        }
                    }
                };
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(ServerInterceptors.intercept(service, keepMetadata)).build().start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getPort();
    }

    void answerWith(Status status) {
        this.answer = status;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<io.opentelemetry.proto.logs.v1.LogRecord> logRecords() {
        return requests.stream().flatMap(r -> r.body().getResourceLogsList().stream())
                .flatMap(rl -> rl.getScopeLogsList().stream()).flatMap(sl -> sl.getLogRecordsList().stream()).toList();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination();
    }
}
