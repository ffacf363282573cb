ALTER TYPE mood ADD VALUE 'happy' AFTER 'ok';
