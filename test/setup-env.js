// Same as bin/warden.js: the pinned SDK supports Node 20; its "Node 22 from 2027" notice is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
