/*
 * speexdsp's acoustic echo canceller (MDF) and its residual-echo suppressor, for Node.js through N-API (ABI-stable:
 * one build serves every Node.js version). Built by scripts/build-native.sh against Debian's libspeexdsp.
 *
 *   create(frameSize, filterLength, sampleRate, suppressDb) -> handle
 *   cancel(handle, mic: Int16Array, played: Int16Array, out: Int16Array)   each exactly frameSize samples
 *   reset(handle)
 *   destroy(handle)
 */
#include <node_api.h>
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>
#include <stdlib.h>

typedef struct {
    SpeexEchoState *echo;
    SpeexPreprocessState *residual;
    int frame;
} Canceller;

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, "HARK_FRONTEND", #call " failed"); return NULL; } } while (0)

static void release(Canceller *c) {
    if (c->residual) speex_preprocess_state_destroy(c->residual);
    if (c->echo) speex_echo_state_destroy(c->echo);
    c->residual = NULL;
    c->echo = NULL;
}

static void finalize(napi_env env, void *data, void *hint) {
    (void)env; (void)hint;
    release((Canceller *)data);
    free(data);
}

static Canceller *handle_of(napi_env env, napi_value value) {
    void *data = NULL;
    if (napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
        napi_throw_type_error(env, "HARK_FRONTEND", "not an echo canceller handle");
        return NULL;
    }
    Canceller *c = (Canceller *)data;
    if (c->echo == NULL) {
        napi_throw_error(env, "HARK_FRONTEND", "the echo canceller was destroyed");
        return NULL;
    }
    return c;
}

static int16_t *samples_of(napi_env env, napi_value value, int frame) {
    napi_typedarray_type type;
    size_t length = 0;
    void *data = NULL;
    if (napi_get_typedarray_info(env, value, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_int16_array || (int)length != frame) {
        napi_throw_type_error(env, "HARK_FRONTEND", "expected an Int16Array of one frame");
        return NULL;
    }
    return (int16_t *)data;
}

static napi_value create(napi_env env, napi_callback_info info) {
    size_t argc = 4;
    napi_value argv[4];
    CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    int32_t frame = 0, tail = 0, rate = 0, suppress = 0;
    if (argc < 4 || napi_get_value_int32(env, argv[0], &frame) != napi_ok || napi_get_value_int32(env, argv[1], &tail) != napi_ok ||
        napi_get_value_int32(env, argv[2], &rate) != napi_ok || napi_get_value_int32(env, argv[3], &suppress) != napi_ok || frame <= 0 || tail < frame || rate <= 0) {
        napi_throw_type_error(env, "HARK_FRONTEND", "create(frameSize, filterLength, sampleRate, suppressDb): positive whole numbers, filterLength >= frameSize");
        return NULL;
    }
    Canceller *c = calloc(1, sizeof(Canceller));
    if (c == NULL) { napi_throw_error(env, "HARK_FRONTEND", "out of memory"); return NULL; }
    c->frame = frame;
    c->echo = speex_echo_state_init(frame, tail);
    c->residual = speex_preprocess_state_init(frame, rate);
    if (c->echo == NULL || c->residual == NULL) { release(c); free(c); napi_throw_error(env, "HARK_FRONTEND", "speexdsp could not create its state"); return NULL; }
    speex_echo_ctl(c->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
    /*
     * The preprocessor takes away what is left of the echo through its spectral gain, which runs only with its noise
     * suppression on: with suppressDb, steady noise is turned down too (only while something plays, as the canceller
     * is skipped otherwise). Its level control and dereverberation stay off.
     */
    int off = 0;
    int denoise = suppress < 0;
    speex_preprocess_ctl(c->residual, SPEEX_PREPROCESS_SET_DENOISE, &denoise);
    speex_preprocess_ctl(c->residual, SPEEX_PREPROCESS_SET_AGC, &off);
    speex_preprocess_ctl(c->residual, SPEEX_PREPROCESS_SET_DEREVERB, &off);
    if (suppress < 0) {
        int active = suppress;
        speex_preprocess_ctl(c->residual, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &suppress);
        speex_preprocess_ctl(c->residual, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &active);
        speex_preprocess_ctl(c->residual, SPEEX_PREPROCESS_SET_ECHO_STATE, c->echo);
    }
    napi_value handle;
    if (napi_create_external(env, c, finalize, NULL, &handle) != napi_ok) { release(c); free(c); napi_throw_error(env, "HARK_FRONTEND", "napi_create_external failed"); return NULL; }
    return handle;
}

static napi_value cancel(napi_env env, napi_callback_info info) {
    size_t argc = 4;
    napi_value argv[4];
    CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    if (argc < 4) { napi_throw_type_error(env, "HARK_FRONTEND", "cancel(handle, mic, played, out)"); return NULL; }
    Canceller *c = handle_of(env, argv[0]);
    if (c == NULL) return NULL;
    int16_t *mic = samples_of(env, argv[1], c->frame);
    if (mic == NULL) return NULL;
    int16_t *played = samples_of(env, argv[2], c->frame);
    if (played == NULL) return NULL;
    int16_t *out = samples_of(env, argv[3], c->frame);
    if (out == NULL) return NULL;
    speex_echo_cancellation(c->echo, mic, played, out);
    speex_preprocess_run(c->residual, out);
    return NULL;
}

static napi_value reset(napi_env env, napi_callback_info info) {
    size_t argc = 1;
    napi_value argv[1];
    CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    Canceller *c = argc < 1 ? NULL : handle_of(env, argv[0]);
    if (c == NULL) return NULL;
    speex_echo_state_reset(c->echo);
    return NULL;
}

static napi_value destroy(napi_env env, napi_callback_info info) {
    size_t argc = 1;
    napi_value argv[1];
    CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    void *data = NULL;
    if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) { napi_throw_type_error(env, "HARK_FRONTEND", "not an echo canceller handle"); return NULL; }
    release((Canceller *)data);
    return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
    napi_property_descriptor props[] = {
        { "create", NULL, create, NULL, NULL, NULL, napi_enumerable, NULL },
        { "cancel", NULL, cancel, NULL, NULL, NULL, napi_enumerable, NULL },
        { "reset", NULL, reset, NULL, NULL, NULL, napi_enumerable, NULL },
        { "destroy", NULL, destroy, NULL, NULL, NULL, napi_enumerable, NULL },
    };
    if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
    return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
